package engine

import (
	"stemmaster/audio"
	"stemmaster/dsp/stemsum"
)

// stemClass is a weight class of stems for stem-aware limiting: the stems
// of one weight, which take the same share of every peak (see
// stemAwareInput), spooled as their sum. The summer hands it each member's
// block in the members' order (take), so the sum is the same bits however
// the strips run, and one scratch file holds the class instead of one per
// stem.
type stemClass struct {
	spool   *stemSpool
	weight  float64
	members []int         // the strips' (and report.Stems') indices, in order
	sum     *audio.Buffer // the block being summed; nil for one member
	got     int           // members summed into sum for this block
}

// take adds the first n frames of b, the next member's block, to the
// class's block; the last member's completes it and appends it to the
// spool. A class of one member appends its blocks as they come.
func (c *stemClass) take(b *audio.Buffer, n int) {
	if c.sum == nil {
		c.spool.append(b, n)
		return
	}
	for ch := range busChannels {
		if c.got == 0 {
			copy(c.sum.Data[ch][:n], b.Data[ch][:n])
		} else {
			stemsum.Add(c.sum.Data[ch][:n], b.Data[ch][:n])
		}
	}
	if c.got++; c.got == len(c.members) {
		c.spool.append(c.sum, n)
		c.got = 0
	}
}

// weightClasses gives the stems of strips (by input index, nil for those
// that do not play) their weight classes for stem-aware limiting, each
// with its scratch file in dir for frames frames; nothing without it.
// weight is a stem's weight.
func weightClasses(strips []*strip, weight func(*strip) float64, dir string, frames int64) error {
	var classes []*stemClass
	for i, st := range strips {
		if st == nil {
			continue
		}
		w := weight(st)
		var c *stemClass
		for _, k := range classes {
			if k.weight == w {
				c = k
			}
		}
		if c == nil {
			sp, err := newStemSpool(dir, frames)
			if err != nil {
				for _, k := range classes {
					k.spool.close()
				}
				return err
			}
			c = &stemClass{spool: sp, weight: w}
			classes = append(classes, c)
		}
		c.members = append(c.members, i)
		st.class = c
	}
	for _, c := range classes {
		if len(c.members) > 1 {
			c.sum = audio.NewBuffer(busChannels, BlockSize)
		}
	}
	return nil
}

// stemClass is the strip's weight class, nil for a nil strip or none.
func (s *strip) stemClass() *stemClass {
	if s == nil {
		return nil
	}
	return s.class
}

// dropClasses lets the strips' classes go, closing the files no
// stemAwareInput took.
func dropClasses(strips []*strip) {
	for _, st := range strips {
		if c := st.stemClass(); c != nil {
			c.spool.close()
			c.spool = nil
			st.class = nil
		}
	}
}
