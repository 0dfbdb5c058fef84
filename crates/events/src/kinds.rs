//! rrweb's numeric enums (rrweb 2.x, `packages/types/src/index.ts` and
//! rrweb-snapshot's `NodeType`).
//!
//! Each has an `Unknown` variant that keeps the number: a newer recorder may
//! send kinds this server does not know, and they must survive storage and
//! replay unchanged rather than be rejected or renumbered.

/// Declares a numbered enum with an `Unknown(u64)` fallback and lossless
/// conversions to and from the wire number.
macro_rules! numbered {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $n:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A number this crate does not know; kept as sent.
            Unknown(u64),
        }

        impl $name {
            /// The kind for a wire number.
            pub fn from_u64(n: u64) -> Self {
                match n {
                    $($n => $name::$variant,)*
                    other => $name::Unknown(other),
                }
            }

            /// The wire number.
            pub fn as_u64(self) -> u64 {
                match self {
                    $($name::$variant => $n,)*
                    $name::Unknown(n) => n,
                }
            }
        }

        impl From<u64> for $name {
            fn from(n: u64) -> Self {
                $name::from_u64(n)
            }
        }
    };
}

numbered! {
    /// An rrweb event's `type`.
    EventType {
        /// `DOMContentLoaded` fired.
        DomContentLoaded = 0,
        /// `load` fired.
        Load = 1,
        /// A serialized copy of the whole DOM; the start of a replay.
        FullSnapshot = 2,
        /// A change; `data.source` says which kind ([`IncrementalSource`]).
        IncrementalSnapshot = 3,
        /// Page URL and viewport size.
        Meta = 4,
        /// Application-defined, `data.tag` names it; Veil's heatmap input.
        Custom = 5,
        /// Emitted by an rrweb plugin (console, network, …).
        Plugin = 6,
    }
}

numbered! {
    /// `data.source` of an [`EventType::IncrementalSnapshot`] event.
    IncrementalSource {
        /// DOM mutations: added/removed nodes, text and attribute changes.
        Mutation = 0,
        /// Pointer positions.
        MouseMove = 1,
        /// Click, focus, touch, … ([`MouseInteraction`] in `data.type`).
        MouseInteraction = 2,
        /// Scroll position of the document or an element.
        Scroll = 3,
        /// Viewport size change.
        ViewportResize = 4,
        /// A form field's value or checked state.
        Input = 5,
        /// Touch positions.
        TouchMove = 6,
        /// Media play/pause/seek.
        MediaInteraction = 7,
        /// CSS rule insertion or deletion.
        StyleSheetRule = 8,
        /// Canvas drawing commands.
        CanvasMutation = 9,
        /// Web font loading.
        Font = 10,
        /// Console log (older rrweb; now a plugin).
        Log = 11,
        /// Drag positions.
        Drag = 12,
        /// Inline style declaration change.
        StyleDeclaration = 13,
        /// Text selection ranges.
        Selection = 14,
        /// Constructed style sheets adopted by a document or shadow root.
        AdoptedStyleSheet = 15,
        /// A custom element was defined.
        CustomElement = 16,
    }
}

numbered! {
    /// `data.type` of an [`IncrementalSource::MouseInteraction`] event.
    MouseInteraction {
        /// `mouseup`.
        MouseUp = 0,
        /// `mousedown`.
        MouseDown = 1,
        /// `click`.
        Click = 2,
        /// `contextmenu`.
        ContextMenu = 3,
        /// `dblclick`.
        DblClick = 4,
        /// `focus`.
        Focus = 5,
        /// `blur`.
        Blur = 6,
        /// `touchstart`.
        TouchStart = 7,
        /// rrweb's `TouchMove_Departed`: no longer emitted (touch moves have
        /// their own source) but the number stays reserved.
        TouchMoveDeparted = 8,
        /// `touchend`.
        TouchEnd = 9,
        /// `touchcancel`.
        TouchCancel = 10,
    }
}

numbered! {
    /// `type` of a serialized DOM node (rrweb-snapshot), in full snapshots
    /// and in mutations' added nodes.
    NodeType {
        /// The document itself.
        Document = 0,
        /// `<!DOCTYPE …>`.
        DocumentType = 1,
        /// An element: `tagName`, `attributes`, `childNodes`, `isSVG`.
        Element = 2,
        /// A text node: `textContent`.
        Text = 3,
        /// A CDATA section.
        Cdata = 4,
        /// A comment.
        Comment = 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rrweb_numbers() {
        let events = [
            (EventType::DomContentLoaded, 0),
            (EventType::Load, 1),
            (EventType::FullSnapshot, 2),
            (EventType::IncrementalSnapshot, 3),
            (EventType::Meta, 4),
            (EventType::Custom, 5),
            (EventType::Plugin, 6),
        ];
        for (kind, n) in events {
            assert_eq!(kind.as_u64(), n);
            assert_eq!(EventType::from_u64(n), kind);
        }
        assert_eq!(IncrementalSource::from(0), IncrementalSource::Mutation);
        assert_eq!(IncrementalSource::from(5), IncrementalSource::Input);
        assert_eq!(IncrementalSource::from(13), IncrementalSource::StyleDeclaration);
        assert_eq!(IncrementalSource::from(16), IncrementalSource::CustomElement);
        assert_eq!(MouseInteraction::from(2), MouseInteraction::Click);
        assert_eq!(MouseInteraction::from(8), MouseInteraction::TouchMoveDeparted);
        assert_eq!(MouseInteraction::from(10), MouseInteraction::TouchCancel);
        assert_eq!(NodeType::from(2), NodeType::Element);
        assert_eq!(NodeType::from(5), NodeType::Comment);
    }

    #[test]
    fn unknown_numbers_survive() {
        for n in [0, 7, 17, 255, u64::MAX] {
            assert_eq!(EventType::from_u64(n).as_u64(), n);
            assert_eq!(IncrementalSource::from_u64(n).as_u64(), n);
            assert_eq!(MouseInteraction::from_u64(n).as_u64(), n);
            assert_eq!(NodeType::from_u64(n).as_u64(), n);
        }
        assert_eq!(EventType::from_u64(7), EventType::Unknown(7));
        assert_eq!(IncrementalSource::from_u64(17), IncrementalSource::Unknown(17));
        assert_eq!(MouseInteraction::from_u64(11), MouseInteraction::Unknown(11));
        assert_eq!(NodeType::from_u64(6), NodeType::Unknown(6));
    }
}
