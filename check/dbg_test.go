package check

import (
	"context"
	"fmt"
	"testing"
)

func TestDbgClean(t *testing.T) {
	names, bufs := hardSong(48000, corpusSeconds, 2)
	s := &corpusSet{name: "generated", rate: 48000, names: names, bufs: bufs, mix: sumOf(bufs...)}
	c := &checker{}
	_ = c
	rep, _ := Run(context.Background(), s.sources(s.bufs), s.mixSource(s.mix, s.rate), Options{})
	fmt.Println(describe(rep.Findings))
}
