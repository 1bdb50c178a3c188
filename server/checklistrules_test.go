package server

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"stemmaster"
)

// TestChecklistRulesScript: the page's checklist rules are the table the
// CLI's check reads, as served: /static/checklist-rules.js holds
// stemmaster.ChecklistRules line for line (channel_mismatch and
// mono_as_stereo under one "Channel layout", not a comparison between
// files), index.html loads it before checklist.js, and checklist.js keeps
// no table of its own (a second const RULES is a SyntaxError that stops
// the whole script).
func TestChecklistRulesScript(t *testing.T) {
	t.Parallel()
	b := setup(t)
	get := func(path string) (string, *http.Response) {
		t.Helper()
		res, err := http.Get(b.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		return string(data), res
	}
	js, res := get("/static/checklist-rules.js")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("GET /static/checklist-rules.js: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	m := regexp.MustCompile(`(?m)^const RULES = (.*);\nconst ONE_FILE_RULES = (.*);$`).FindStringSubmatch(js)
	if m == nil {
		t.Fatalf("checklist-rules.js does not declare RULES and ONE_FILE_RULES:\n%s", js)
	}
	var rows [][]json.RawMessage
	var oneFile map[string]string
	if err := json.Unmarshal([]byte(m[1]), &rows); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(m[2]), &oneFile); err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(stemmaster.ChecklistRules) {
		t.Fatalf("served %d rules, the table has %d", len(rows), len(stemmaster.ChecklistRules))
	}
	channelLayout := 0
	for i, r := range stemmaster.ChecklistRules {
		var got stemmaster.ChecklistRule
		if len(rows[i]) != 4 || json.Unmarshal(rows[i][0], &got.Line) != nil || json.Unmarshal(rows[i][1], &got.Codes) != nil ||
			json.Unmarshal(rows[i][2], &got.NeedsMix) != nil || json.Unmarshal(rows[i][3], &got.Between) != nil {
			t.Fatalf("rule %d served as %s: want [line, codes, needs mix, between]", i, rows[i])
		}
		got.OneFile = oneFile[got.Line]
		if got.Line != r.Line || got.OneFile != r.OneFile || strings.Join(got.Codes, " ") != strings.Join(r.Codes, " ") ||
			got.NeedsMix != r.NeedsMix || got.Between != r.Between {
			t.Errorf("rule %d served as %+v, the table says %+v", i, got, r)
		}
		if got.Line == "Channel layout" && strings.Join(got.Codes, " ") == "channel_mismatch mono_as_stereo" && !got.Between {
			channelLayout++
		}
	}
	if channelLayout != 1 {
		t.Errorf("want one \"Channel layout\" rule with channel_mismatch and mono_as_stereo, not between files:\n%s", js)
	}

	page, _ := get("/")
	rules, list := strings.Index(page, `src="/static/checklist-rules.js?`), strings.Index(page, `src="/static/checklist.js?`)
	if rules < 0 || list < 0 || rules > list {
		t.Errorf("index.html loads checklist-rules.js at %d, checklist.js at %d: want it first", rules, list)
	}
	if app, _ := get("/static/checklist.js"); regexp.MustCompile(`(?m)^(const|let|var) (RULES|ONE_FILE_RULES)\b`).MatchString(app) {
		t.Error("checklist.js declares its own RULES or ONE_FILE_RULES")
	}
}
