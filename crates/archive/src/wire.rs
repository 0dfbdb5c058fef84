//! Varints and a bounds-checked reader: archives come from the database,
//! and a damaged one must be an error, never a panic.

use crate::ArchiveError;

/// Value kinds in the shape stream.
pub(crate) mod tag {
    pub const NULL: u8 = 0;
    pub const FALSE: u8 = 1;
    pub const TRUE: u8 = 2;
    /// Integer in `i64`: zigzag delta in its column.
    pub const INT: u8 = 3;
    /// Integer above `i64::MAX`: plain varint in its column.
    pub const BIG: u8 = 4;
    /// Float: 8 bytes little endian in its column.
    pub const FLOAT: u8 = 5;
    /// String: length and bytes in its column.
    pub const STRING: u8 = 6;
    /// String stored as a chunk: index into the chunk list.
    pub const CHUNK: u8 = 7;
    /// Array: length follows.
    pub const ARRAY: u8 = 8;
    /// Object with a key set not seen before: the set follows.
    pub const NEW_OBJECT: u8 = 9;
    /// Object with a known key set: its index follows.
    pub const OBJECT: u8 = 10;
}

/// Column kinds, part of a column's key.
pub(crate) mod kind {
    pub const INT: u8 = 0;
    pub const BIG: u8 = 1;
    pub const FLOAT: u8 = 2;
    pub const STRING: u8 = 3;
}

pub(crate) fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

pub(crate) fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

pub(crate) fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

/// A cursor over one stream.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub(crate) fn byte(&mut self) -> Result<u8, ArchiveError> {
        let (&first, rest) = self.bytes.split_first().ok_or(ArchiveError::Corrupt("stream ends early"))?;
        self.bytes = rest;
        Ok(first)
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], ArchiveError> {
        if n > self.bytes.len() {
            return Err(ArchiveError::Corrupt("stream ends early"));
        }
        let (taken, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(taken)
    }

    pub(crate) fn varint(&mut self) -> Result<u64, ArchiveError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ArchiveError::Corrupt("varint too long"))
    }

    /// A varint used as a length or count: never more than what is left,
    /// so a damaged count cannot make the reader allocate without bound.
    pub(crate) fn len(&mut self) -> Result<usize, ArchiveError> {
        let n = usize::try_from(self.varint()?).map_err(|_| ArchiveError::Corrupt("length too large"))?;
        if n > self.bytes.len() { Err(ArchiveError::Corrupt("length beyond the stream")) } else { Ok(n) }
    }

    /// A varint used as an index (checked by its user, not against what
    /// is left of the stream).
    pub(crate) fn len_free(&mut self) -> Result<usize, ArchiveError> {
        usize::try_from(self.varint()?).map_err(|_| ArchiveError::Corrupt("index too large"))
    }

    pub(crate) fn bytes_with_len(&mut self) -> Result<&'a [u8], ArchiveError> {
        let n = self.len()?;
        self.take(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_zigzag_round_trip() {
        for n in [0i64, 1, -1, 63, -64, 64, i64::MAX, i64::MIN, 1_795_514_400_000] {
            let mut out = Vec::new();
            put_varint(&mut out, zigzag(n));
            let mut reader = Reader::new(&out);
            assert_eq!(unzigzag(reader.varint().expect("varint")), n);
            assert!(reader.is_empty());
        }
    }

    #[test]
    fn damaged_lengths_are_errors() {
        let mut out = Vec::new();
        put_varint(&mut out, 1000);
        out.extend_from_slice(b"short");
        assert!(Reader::new(&out).bytes_with_len().is_err());
        assert!(Reader::new(&[0xff; 11]).varint().is_err());
        assert!(Reader::new(&[]).byte().is_err());
    }
}
