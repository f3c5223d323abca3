//! `ResChunk_header` and the walk over sibling chunks, plus the anomaly
//! sink shared by the table parser.
//!
//! See `ResChunk_header` in `ResourceTypes.h` and `ChunkIterator` in
//! `frameworks/base/libs/androidfw/ChunkIterator.cpp`.

use std::collections::BTreeMap;

use super::ArscError;
use crate::formats::read::{u16_at, u32_at};
use crate::formats::Anomaly;

/// `sizeof(ResChunk_header)`.
pub(crate) const CHUNK_HEADER_SIZE: usize = 8;

/// One chunk, bounds-checked: `data` is exactly `size` bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chunk<'a> {
    /// Absolute offset of the chunk in the file.
    pub offset: usize,
    /// `type`.
    pub chunk_type: u16,
    /// `headerSize`.
    pub header_size: u16,
    /// The whole chunk (`size` bytes).
    pub data: &'a [u8],
}

impl<'a> Chunk<'a> {
    /// Reads and checks the chunk header at `offset`; the chunk must end at
    /// or before `end`. `structure` names the parent for error messages.
    pub fn read(
        file: &'a [u8],
        offset: usize,
        end: usize,
        structure: &'static str,
    ) -> Result<Chunk<'a>, ArscError> {
        let available = end.saturating_sub(offset);
        if available < CHUNK_HEADER_SIZE {
            return Err(ArscError::Truncated {
                structure,
                offset,
                needed: CHUNK_HEADER_SIZE,
                available,
            });
        }
        let trunc = |_| ArscError::Truncated {
            structure,
            offset,
            needed: CHUNK_HEADER_SIZE,
            available,
        };
        let chunk_type = u16_at(file, offset).map_err(trunc)?;
        let header_size = u16_at(file, offset + 2).map_err(trunc)?;
        let size = u32_at(file, offset + 4).map_err(trunc)?;
        if usize::from(header_size) < CHUNK_HEADER_SIZE
            || u32::from(header_size) > size
            || size as usize > available
        {
            return Err(ArscError::BadChunkSize {
                structure,
                chunk_type,
                offset,
                header_size,
                size,
                available,
            });
        }
        let data = file.get(offset..offset + size as usize).unwrap_or_default();
        Ok(Chunk {
            offset,
            chunk_type,
            header_size,
            data,
        })
    }

    /// Absolute offset where the chunk's body begins.
    pub fn body_offset(&self) -> usize {
        self.offset + usize::from(self.header_size)
    }

    /// Absolute offset one past the chunk.
    pub fn end(&self) -> usize {
        self.offset + self.data.len()
    }

    /// Checks that the header is at least `min` bytes.
    pub fn require_header(&self, min: usize, structure: &'static str) -> Result<(), ArscError> {
        if usize::from(self.header_size) < min {
            return Err(ArscError::HeaderTooSmall {
                structure,
                offset: self.offset,
                header_size: self.header_size,
                min,
            });
        }
        Ok(())
    }
}

/// Walks the chunks between `pos` and `end` (absolute offsets).
pub(crate) struct ChunkIter<'a> {
    file: &'a [u8],
    pos: usize,
    end: usize,
    parent: &'static str,
    done: bool,
}

impl<'a> ChunkIter<'a> {
    pub fn new(file: &'a [u8], pos: usize, end: usize, parent: &'static str) -> Self {
        ChunkIter {
            file,
            pos,
            end,
            parent,
            done: false,
        }
    }

    /// Next chunk; trailing bytes too short for a header end the walk with
    /// an anomaly (Android treats that as a non-fatal iterator error).
    pub fn next_chunk(&mut self, sink: &mut Sink) -> Option<Result<Chunk<'a>, ArscError>> {
        if self.done || self.pos >= self.end {
            return None;
        }
        let left = self.end - self.pos;
        if left < CHUNK_HEADER_SIZE {
            self.done = true;
            if self
                .file
                .get(self.pos..self.end)
                .is_some_and(|t| t.iter().any(|&b| b != 0))
                || left % 4 != 0
            {
                sink.note("arsc-trailing-bytes", Some(self.pos), || {
                    format!(
                        "{left} byte(s) after the last chunk inside `{}`",
                        self.parent
                    )
                });
            }
            return None;
        }
        if self.pos % 4 != 0 {
            sink.note("arsc-chunk-unaligned", Some(self.pos), || {
                format!("chunk inside `{}` is not 4-byte aligned", self.parent)
            });
        }
        match Chunk::read(self.file, self.pos, self.end, self.parent) {
            Ok(c) => {
                if (c.data.len() | usize::from(c.header_size)) % 4 != 0 {
                    sink.note("arsc-chunk-size-unaligned", Some(c.offset), || {
                        format!(
                            "chunk type {:#06x} has sizes {}/{} not multiple of 4",
                            c.chunk_type,
                            c.header_size,
                            c.data.len()
                        )
                    });
                }
                self.pos = c.end();
                Some(Ok(c))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Collects anomalies, keeping at most [`Sink::MAX_PER_CODE`] of each code
/// so a file with a million bad entries cannot flood the report; the rest
/// are counted in one `arsc-anomalies-suppressed` anomaly per code.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    list: Vec<Anomaly>,
    counts: BTreeMap<&'static str, usize>,
}

impl Sink {
    pub const MAX_PER_CODE: usize = 32;

    pub fn note(
        &mut self,
        code: &'static str,
        offset: Option<usize>,
        detail: impl FnOnce() -> String,
    ) {
        let n = self.counts.entry(code).or_insert(0);
        *n += 1;
        if *n <= Self::MAX_PER_CODE {
            self.list
                .push(Anomaly::new(code, offset.map(|o| o as u64), detail()));
        }
    }

    /// Adds anomalies produced elsewhere (string pools), shifting their
    /// offsets by `base`.
    pub fn extend(&mut self, base: usize, anomalies: Vec<Anomaly>) {
        for a in anomalies {
            let off = a.offset.map(|o| o as usize + base);
            let detail = a.detail;
            self.note(a.code, off, || detail);
        }
    }

    pub fn finish(mut self) -> Vec<Anomaly> {
        for (code, n) in &self.counts {
            if *n > Self::MAX_PER_CODE {
                self.list.push(Anomaly::new(
                    "arsc-anomalies-suppressed",
                    None,
                    format!(
                        "{} more `{code}` anomalies not listed",
                        n - Self::MAX_PER_CODE
                    ),
                ));
            }
        }
        self.list
    }
}
