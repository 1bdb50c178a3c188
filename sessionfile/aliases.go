// This file holds YAML anchors, aliases and merge keys (<<: *base) as YAML
// defines them, and the budget that keeps a document of aliases repeating
// aliases from costing more than a session's values.

package sessionfile

import (
	"gopkg.in/yaml.v3"

	"stemmaster"
)

// aliasBudget bounds the nodes a decode of root visits: every node the
// document writes out, and aliases repeating them up to 16 times as many
// (an EQ curve anchored once and reused on every stem stays well within),
// but never more than MaxValues, what no session comes near: 600 KB of
// stems aliasing one 16-band EQ passed 16 times and took 380 MB of paths
// and lines to refuse.
func aliasBudget(root *yaml.Node) int {
	written := 0
	var count func(n *yaml.Node)
	count = func(n *yaml.Node) {
		written++
		for _, c := range n.Content {
			count(c)
		}
	}
	count(root)
	return min(16*written+10000, MaxValues)
}

// pair is a key and its value in a mapping.
type pair struct{ key, value *yaml.Node }

// pairs returns the entries of the mapping n with its merge keys
// (<<: *base, or <<: [*a, *b]) resolved as YAML defines them: the mapping's
// own keys first (a key written twice stays twice, for decodeStruct to
// refuse), then each merged mapping's keys that are not set yet, earlier
// mappings first. An engineer anchors a compressor once and writes
// {<<: *glue, ratio: 4} where one stem needs more.
func (d *nodeDecoder) pairs(n *yaml.Node, path string) ([]pair, error) {
	var own []pair
	var merged []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merged = append(merged, val)
			continue
		}
		own = append(own, pair{k, val})
	}
	if len(merged) == 0 {
		return own, nil
	}
	set := map[string]bool{}
	for _, p := range own {
		set[p.key.Value] = true
	}
	out := own
	for _, m := range merged {
		var sources []*yaml.Node
		switch r := resolve(m); r.Kind {
		case yaml.MappingNode:
			sources = []*yaml.Node{r}
		case yaml.SequenceNode:
			sources = r.Content
		default:
			if err := d.failKind(stemmaster.ErrInvalid, m, path, describe(r), "is merged (<<) but is not a mapping or a list of mappings"); err != nil {
				return nil, err
			}
			continue
		}
		for _, src := range sources {
			src = resolve(src)
			if src.Kind != yaml.MappingNode {
				if err := d.failKind(stemmaster.ErrInvalid, m, path, describe(src), "is merged (<<) but is not a mapping"); err != nil {
					return nil, err
				}
				continue
			}
			if d.budget -= len(src.Content) / 2; d.budget < 0 {
				return nil, d.spent(src, path)
			}
			ps, err := d.pairs(src, path)
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				if !set[p.key.Value] {
					set[p.key.Value] = true
					out = append(out, p)
				}
			}
		}
	}
	return out, nil
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}
