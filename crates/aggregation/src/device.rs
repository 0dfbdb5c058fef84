//! Device class (SPEC §1): heatmaps of a phone and a desktop layout of the
//! same page do not line up, so they are kept apart.

use std::fmt;
use std::str::FromStr;

/// Viewports narrower than this many CSS px are [`DeviceClass::Mobile`].
pub const TABLET_MIN_WIDTH: u32 = 768;
/// Viewports narrower than this many CSS px (and at least
/// [`TABLET_MIN_WIDTH`]) are [`DeviceClass::Tablet`].
pub const DESKTOP_MIN_WIDTH: u32 = 1024;

/// Which layout a visitor saw, judged by the viewport width alone: the
/// width decides which CSS breakpoint applied, which is what makes click
/// positions comparable; the user agent is not stored (SPEC §4) and would
/// say less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeviceClass {
    /// Narrower than 768 CSS px.
    Mobile,
    /// From 768 to 1023 CSS px.
    Tablet,
    /// 1024 CSS px and wider.
    Desktop,
}

impl DeviceClass {
    /// All classes, narrowest first.
    pub const ALL: [DeviceClass; 3] = [DeviceClass::Mobile, DeviceClass::Tablet, DeviceClass::Desktop];

    /// The class of a viewport `width` CSS px wide. A width of 0 (a
    /// recorder that could not measure) reads as mobile, the narrowest
    /// layout.
    pub fn from_viewport_width(width: u32) -> Self {
        if width < TABLET_MIN_WIDTH {
            DeviceClass::Mobile
        } else if width < DESKTOP_MIN_WIDTH {
            DeviceClass::Tablet
        } else {
            DeviceClass::Desktop
        }
    }

    /// The name used in storage and the query API (`device=`).
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceClass::Mobile => "mobile",
            DeviceClass::Tablet => "tablet",
            DeviceClass::Desktop => "desktop",
        }
    }
}

impl fmt::Display for DeviceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a device class.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown device class (expected mobile, tablet or desktop)")]
pub struct UnknownDeviceClass;

impl FromStr for DeviceClass {
    type Err = UnknownDeviceClass;

    /// Parses the names [`DeviceClass::as_str`] writes, exactly.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DeviceClass::ALL.into_iter().find(|class| class.as_str() == s).ok_or(UnknownDeviceClass)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breakpoints() {
        let cases = [
            (0, DeviceClass::Mobile),
            (320, DeviceClass::Mobile),
            (390, DeviceClass::Mobile),
            (767, DeviceClass::Mobile),
            (768, DeviceClass::Tablet),
            (820, DeviceClass::Tablet),
            (1023, DeviceClass::Tablet),
            (1024, DeviceClass::Desktop),
            (1280, DeviceClass::Desktop),
            (3840, DeviceClass::Desktop),
            (u32::MAX, DeviceClass::Desktop),
        ];
        for (width, class) in cases {
            assert_eq!(DeviceClass::from_viewport_width(width), class, "{width}");
        }
    }

    #[test]
    fn names_round_trip() {
        for class in DeviceClass::ALL {
            assert_eq!(class.as_str().parse(), Ok(class));
            assert_eq!(class.to_string(), class.as_str());
        }
        assert_eq!("Desktop".parse::<DeviceClass>(), Err(UnknownDeviceClass));
        assert_eq!("all".parse::<DeviceClass>(), Err(UnknownDeviceClass));
    }
}
