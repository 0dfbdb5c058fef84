//! Record framing: `u32 LE length | u32 LE CRC32 | payload`.
//!
//! The checksum covers the length field as well as the payload. A flipped
//! bit in the length is then caught too, and a run of zero bytes (what some
//! file systems leave at the end of a file extended just before a crash)
//! never reads as a valid empty record: the CRC32 of four zero bytes is not
//! zero.

use std::io::{self, Read};

/// Bytes of framing in front of every payload.
pub(crate) const HEADER_LEN: u64 = 8;

/// Bytes a payload of `len` bytes takes on disk.
pub(crate) fn frame_len(len: u64) -> u64 {
    HEADER_LEN + len
}

fn checksum(len_field: [u8; 4], payload: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&len_field);
    hasher.update(payload);
    hasher.finalize()
}

/// Appends the framed record to `buf`. The caller has checked that the
/// length fits in a `u32`.
pub(crate) fn encode_into(buf: &mut Vec<u8>, payload: &[u8]) {
    debug_assert!(u32::try_from(payload.len()).is_ok(), "append checks the length");
    let len_field = (payload.len() as u32).to_le_bytes();
    buf.extend_from_slice(&len_field);
    buf.extend_from_slice(&checksum(len_field, payload).to_le_bytes());
    buf.extend_from_slice(payload);
}

/// Why the bytes at some offset are not a complete, intact record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Damage {
    /// Fewer than [`HEADER_LEN`] bytes left.
    ShortHeader,
    /// The length field points past the end of the readable data.
    ShortPayload,
    /// The checksum does not match; the record claims `frame_len` bytes.
    Checksum {
        /// Bytes the damaged record claims, framing included.
        frame_len: u64,
    },
}

impl Damage {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Damage::ShortHeader => "truncated record header",
            Damage::ShortPayload => "record length runs past the end of the data",
            Damage::Checksum { .. } => "checksum mismatch",
        }
    }
}

/// A record read by [`read_record`].
pub(crate) struct Frame {
    /// The payload, or empty when it was skipped unchecked.
    pub(crate) payload: Vec<u8>,
    /// Bytes the record took on disk, framing included.
    pub(crate) frame_len: u64,
}

/// How much of each record [`read_payload`] looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// Read the payload and verify the checksum.
    Full,
    /// Skip the payload unread: enough to count records without reading
    /// the whole backlog at start-up.
    HeaderOnly,
}

/// A record's framing, read ahead of its payload so a reader can decide
/// whether the payload still fits its budget.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header {
    len_field: [u8; 4],
    crc: u32,
    /// Payload length.
    pub(crate) len: u64,
}

/// Reads the header at the current position of `src`, which has
/// `remaining` readable bytes left. The length is checked against
/// `remaining` here, before anything is allocated, so a damaged header
/// cannot make us allocate gigabytes.
///
/// The outer `Result` is the file system's error; the inner one says
/// whether the bytes form a record.
pub(crate) fn read_header<R: Read>(src: &mut R, remaining: u64) -> io::Result<Result<Header, Damage>> {
    if remaining < HEADER_LEN {
        return Ok(Err(Damage::ShortHeader));
    }
    let mut header = [0u8; HEADER_LEN as usize];
    if let Err(error) = src.read_exact(&mut header) {
        return short_read(error, Damage::ShortHeader);
    }
    let [l0, l1, l2, l3, c0, c1, c2, c3] = header;
    let len_field = [l0, l1, l2, l3];
    let len = u64::from(u32::from_le_bytes(len_field));
    if len > remaining - HEADER_LEN {
        return Ok(Err(Damage::ShortPayload));
    }
    Ok(Ok(Header { len_field, crc: u32::from_le_bytes([c0, c1, c2, c3]), len }))
}

/// Reads (or skips) the payload that follows `header`.
pub(crate) fn read_payload<R: Read>(
    src: &mut R,
    header: &Header,
    check: Check,
) -> io::Result<Result<Frame, Damage>> {
    let frame_len = frame_len(header.len);
    if check == Check::HeaderOnly {
        let skipped = io::copy(&mut src.take(header.len), &mut io::sink())?;
        if skipped < header.len {
            return Ok(Err(Damage::ShortPayload));
        }
        return Ok(Ok(Frame { payload: Vec::new(), frame_len }));
    }
    // `len` came from a u32, so it fits in usize on the platforms we build for.
    let mut payload = vec![0u8; usize::try_from(header.len).unwrap_or(usize::MAX)];
    if let Err(error) = src.read_exact(&mut payload) {
        return short_read(error, Damage::ShortPayload);
    }
    if checksum(header.len_field, &payload) != header.crc {
        return Ok(Err(Damage::Checksum { frame_len }));
    }
    Ok(Ok(Frame { payload, frame_len }))
}

/// [`read_header`] then [`read_payload`].
pub(crate) fn read_record<R: Read>(
    src: &mut R,
    remaining: u64,
    check: Check,
) -> io::Result<Result<Frame, Damage>> {
    match read_header(src, remaining)? {
        Ok(header) => read_payload(src, &header, check),
        Err(damage) => Ok(Err(damage)),
    }
}

/// The file ended before the length we were told it has: damage rather
/// than an I/O failure (a segment can be shorter than `remaining` claims
/// only if it was truncated under us).
fn short_read<T>(error: io::Error, damage: Damage) -> io::Result<Result<T, Damage>> {
    if error.kind() == io::ErrorKind::UnexpectedEof { Ok(Err(damage)) } else { Err(error) }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn read(bytes: &[u8], check: Check) -> Result<Frame, Damage> {
        read_record(&mut &bytes[..], bytes.len() as u64, check).unwrap()
    }

    #[test]
    fn round_trip() {
        let mut buf = Vec::new();
        encode_into(&mut buf, b"hello");
        assert_eq!(buf.len() as u64, frame_len(5));
        let frame = read(&buf, Check::Full).unwrap();
        assert_eq!(frame.payload, b"hello");
        assert_eq!(frame.frame_len, 13);
    }

    #[test]
    fn empty_record_round_trips_but_zeros_do_not_parse() {
        let mut buf = Vec::new();
        encode_into(&mut buf, b"");
        assert_eq!(read(&buf, Check::Full).unwrap().payload, b"");
        assert_eq!(read(&[0u8; 8], Check::Full).err(), Some(Damage::Checksum { frame_len: 8 }));
    }

    #[test]
    fn damage_cases() {
        let mut buf = Vec::new();
        encode_into(&mut buf, b"payload");
        assert_eq!(read(&buf[..5], Check::Full).err(), Some(Damage::ShortHeader));
        assert_eq!(read(&buf[..10], Check::Full).err(), Some(Damage::ShortPayload));
        let mut flipped = buf.clone();
        flipped[9] ^= 1;
        assert_eq!(read(&flipped, Check::Full).err(), Some(Damage::Checksum { frame_len: 15 }));
        // A header-only walk does not look at the payload.
        assert_eq!(read(&flipped, Check::HeaderOnly).unwrap().frame_len, 15);
        let mut long_len = buf.clone();
        long_len[3] = 0xff;
        assert_eq!(read(&long_len, Check::Full).err(), Some(Damage::ShortPayload));
    }
}
