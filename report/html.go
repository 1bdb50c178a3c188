package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"slices"

	"stemmaster"
)

// HTMLName is the file name of the HTML report.
const HTMLName = "report.html"

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"lvl": func(l stemmaster.Level) string { return fixed(l, 1) },
	"gr":  grText,
	// passes counts the targeting passes as the command line does.
	"passes": func(n int) string {
		if n == 1 {
			return "1 targeting pass"
		}
		return fmt.Sprintf("%d targeting passes", n)
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stemmaster report</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:980px;margin:1rem auto;padding:0 1rem;color:#1d2330}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #dde1e8}
img{width:100%;border:1px solid #dde1e8;border-radius:6px}.muted{color:#6b7385}.warn{color:#b7791f}
</style></head><body>
<h1>stemmaster report</h1>
<p class="muted">Target {{.Rep.Target}} · {{lvl .Rep.DurationS}} s at {{.Rep.SampleRate}} Hz · rendered in {{lvl .Rep.WallTimeS}} s ({{lvl .Rep.XRealTime}}× real time) · session {{.Hash}}</p>
{{range .Rep.Warnings}}<p class="warn">⚠ {{.}}</p>{{end}}
<h2>Loudness (ITU-R BS.1770-4 / EBU R128)</h2>
<table><thead><tr><th></th><th>integrated (LUFS)</th><th>range (LU)</th><th>true peak (dBTP)</th><th>sample peak (dBFS)</th></tr></thead><tbody>
<tr><td>before: {{.Before}}</td><td>{{lvl .Rep.Sum.IntegratedLUFS}}</td><td>{{lvl .Rep.Sum.LoudnessRangeLU}}</td><td>{{lvl .Rep.Sum.TruePeakDBTP}}</td><td>{{lvl .Rep.Sum.SamplePeakDBFS}}</td></tr>
{{range .Rep.Outputs}}<tr><td>after: {{.File}}</td><td>{{lvl .IntegratedLUFS}}</td><td>{{lvl .LoudnessRangeLU}}</td><td>{{lvl .TruePeakDBTP}}</td><td>{{lvl .SamplePeakDBFS}}</td></tr>
{{end}}</tbody></table>
<h2>Master chain</h2>
<table><tbody>
<tr><td>master gain</td><td>{{lvl .Rep.Master.GainDB}} dB ({{passes .Rep.Master.Iterations}})</td></tr>
{{with .Rep.Master.Limiter}}<tr><td>limiter</td><td>ceiling {{lvl .CeilingDBTP}} dBTP; {{gr .GainReduction}}</td></tr>{{end}}
{{if not .OneInput}}{{with .Rep.Master.Limiter}}{{if .Attribution}}<tr><td>limiter, by stem</td><td>{{.Attribution}}</td></tr>{{end}}{{end}}{{end}}
{{with .Rep.Master.Glue}}<tr><td>glue compressor</td><td>{{gr .}}</td></tr>{{end}}
{{with .Rep.Master.Correlation}}<tr><td>mono compatibility (correlation)</td><td>{{if .Overall.Defined}}{{printf "%.2f" .Overall}} overall, {{printf "%.2f" .MinWindow}} lowest over 100 ms{{else}}no signal (a channel of the master is silent){{end}}</td></tr>{{end}}
</tbody></table>
{{if .Rep.Stems}}<h2>Stems</h2>
<table><thead><tr><th>stem</th><th>role</th><th>before (LUFS)</th><th>after its strip (LUFS)</th></tr></thead><tbody>
{{range .Rep.Stems}}<tr><td>{{.File}}{{if .Muted}} (muted){{end}}</td><td>{{.Role}}</td><td>{{lvl .BeforeLUFS}}</td><td>{{lvl .AfterLUFS}}</td></tr>
{{end}}</tbody></table>{{end}}
{{if or .Findings .Rep.CheckMix}}<h2>Check findings</h2>
{{with .Rep.CheckMix}}<p>The stems as delivered against the mix {{.File}} (the check's measurement, before the session's corrections): residual {{lvl .NullResidualDB}} dB; corrected for the findings {{lvl .FittedResidualDB}} dB (they sum to the mix at or under {{.ThresholdDB}} dB; −140 dB is the floor: nothing left).</p>{{end}}
<ul>
{{range .Findings}}<li>{{.Severity}}: {{if .File}}{{.File}}: {{end}}{{.Message}}{{if .Corrected}} — corrected by the session{{else if .Fix}} — fix: {{.Fix}}{{end}}</li>
{{end}}</ul>{{end}}
{{with .Rep.Advice}}<h2>Advice: {{.Service.Headline}}</h2>
<ul>
{{range .Reasons}}<li>{{.}}</li>
{{end}}</ul>{{end}}
{{if .Pictures}}<h2>Pictures</h2>
{{range .Pictures}}<p><img src="{{.Src}}" alt="{{.Name}}"></p>
{{end}}{{end}}
</body></html>
`))

// fixed prints a level with the given decimals, "—" when undefined.
func fixed(l stemmaster.Level, decimals int) string {
	if !l.Defined() {
		return "—"
	}
	return fmt.Sprintf("%.*f", decimals, l.Round(decimals))
}

// grText is a dynamics processor's gain reduction in the words and at the
// precision of the page's chain figures and the CLI's summary: up to
// (1 decimal), mean (2 decimals, as the per-stem table), active (whole %).
func grText(g *stemmaster.GainReduction) string {
	active := "—"
	if g.ActiveShare.Defined() {
		active = fmt.Sprintf("%.0f %%", 100*g.ActiveShare.Round(2)) // the JSON's hundredths, as the page has them
	}
	return fmt.Sprintf("up to %s dB, mean %s dB, active %s of the time", fixed(g.MaxDB, 1), fixed(g.MeanDB, 2), active)
}

// picture is one inline picture of the HTML report.
type picture struct {
	Name string
	Src  template.URL // a data: URI
}

// WriteHTML writes report.html into dir: the figures of rep and the
// pictures WritePictures wrote there, inlined as data: URIs so the page is
// whole when downloaded or mailed alone.
func WriteHTML(dir string, rep *stemmaster.Report) error {
	var pics []picture
	for _, name := range PictureNames() {
		png, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		pics = append(pics, picture{Name: name, Src: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))})
	}
	hash := rep.SessionHash
	if len(hash) > 12 {
		hash = hash[:12]
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, struct {
		Rep      *stemmaster.Report
		Pictures []picture
		Hash     string
		Before   template.HTML
		OneInput bool
		Findings []shownFinding
	}{rep, pics, hash, beforeRow(rep), OneInput(rep), shownFindings(rep)}); err != nil {
		return fmt.Errorf("report: %s: %w", HTMLName, err)
	}
	return writeAtomic(filepath.Join(dir, HTMLName), buf.Bytes())
}

// beforeRow names the loudness table's "before" row as Before does, and
// where it is measured; the text is this package's own, never a file name,
// so it goes into the page as it is.
func beforeRow(rep *stemmaster.Report) template.HTML {
	where := "after the stems' strips"
	if OneInput(rep) {
		where = "after its strip"
	}
	return template.HTML(Before(rep) + " (" + where + ", before the master chain)")
}

// shownFinding is a finding as the page lists it: with its fix, or as
// corrected by the session (report.json's corrected_by_session).
type shownFinding struct {
	stemmaster.Finding
	Corrected bool
}

// shownFindings is the check's findings the page lists: one input is a
// stereo master, where being a single file is what it is, not a finding.
func shownFindings(rep *stemmaster.Report) []shownFinding {
	var fs []shownFinding
	for _, f := range rep.Findings {
		if !OneInput(rep) || f.Code != stemmaster.CodeSingleStem {
			fs = append(fs, shownFinding{f, slices.Contains(rep.CorrectedBySession, f.Line())})
		}
	}
	return fs
}

// Write writes the pictures and the HTML report into dir; a report without
// curves gets the HTML page alone.
func Write(dir string, rep *stemmaster.Report) error {
	if _, err := WritePictures(dir, rep); err != nil && err != ErrNoCurves {
		return err
	}
	return WriteHTML(dir, rep)
}
