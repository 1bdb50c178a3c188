package audiotest

import "stemmaster/audio"

// View returns frames [from, to) of b sharing its samples: a block to
// hand a processor, or a span to measure, without a copy. View(…).Clone()
// is that span as a buffer of its own.
func View(b *audio.Buffer, from, to int) *audio.Buffer {
	v := &audio.Buffer{Data: make([][]float32, len(b.Data))}
	for c, ch := range b.Data {
		v.Data[c] = ch[from:to]
	}
	return v
}

// Shifted returns a copy of b whose frames [from, to) hold b's frames by
// earlier (by > 0: that span plays late; by < 0: early), silence where
// those lie outside b; the rest of b is kept, and so is its length. It is
// how a delivery's edits are made in code: the whole stem late
// (Shifted(b, 0, n, d)), a passage repeated or played late (from > 0), a
// span cut out and the rest moved up (Shifted(b, at, n, -cut)).
func Shifted(b *audio.Buffer, from, to, by int) *audio.Buffer {
	out := b.Clone()
	for c, ch := range b.Data {
		dst := out.Data[c][from:to]
		for i := range dst {
			if j := from + i - by; j >= 0 && j < len(ch) {
				dst[i] = ch[j]
			} else {
				dst[i] = 0
			}
		}
	}
	return out
}
