package analysis

import (
	"fmt"

	"stemmaster"
)

// PriceList is what a studio charges, in minor currency units (cents), so
// that sums are exact.
type PriceList struct {
	Currency string
	// Per song, by service.
	StereoMastering int64
	StemMastering   int64
	Mixing          int64
	// IncludedStems is how many stems the stem-mastering price covers;
	// each further stem costs PerExtraStem.
	IncludedStems int
	PerExtraStem  int64
	// PerExtraDeliverable is charged for each output format beyond the
	// first (a CD master, a FLAC, …).
	PerExtraDeliverable int64
	// PerExtraVersion is charged for each version beyond main
	// (instrumental, a cappella, TV mix).
	PerExtraVersion int64
}

// DefaultPriceList is a placeholder that shows the shape of a price list:
// round figures in the range independent mastering studios advertise
// (stereo mastering tens of euros a song, stem mastering about twice that,
// mixing several times more). They are not market research; a studio sets
// its own.
var DefaultPriceList = PriceList{
	Currency:            "EUR",
	StereoMastering:     6000,
	StemMastering:       12000,
	Mixing:              35000,
	IncludedStems:       4,
	PerExtraStem:        1000,
	PerExtraDeliverable: 1000,
	PerExtraVersion:     1500,
}

// QuoteRequest describes the job to price.
type QuoteRequest struct {
	Service      stemmaster.Service
	Stems        int
	Deliverables int // output formats; 0 counts as 1
	Versions     int // versions including main; 0 counts as 1
}

// QuoteLine is one line of a quote.
type QuoteLine struct {
	Item      string `json:"item"`
	Quantity  int    `json:"quantity"`
	UnitPrice int64  `json:"unit_price"` // minor units
	Amount    int64  `json:"amount"`     // minor units
}

// PriceQuote is a priced job.
type PriceQuote struct {
	Currency string      `json:"currency"`
	Lines    []QuoteLine `json:"lines"`
	Total    int64       `json:"total"` // minor units
}

// Quote prices a job from a price list: the service per song, stems beyond
// the included ones (stem mastering only), extra deliverables and extra
// versions. An unknown service is priced as stem mastering.
func Quote(p PriceList, req QuoteRequest) PriceQuote {
	q := PriceQuote{Currency: p.Currency}
	add := func(item string, n int, unit int64) {
		if n <= 0 {
			return
		}
		q.Lines = append(q.Lines, QuoteLine{Item: item, Quantity: n, UnitPrice: unit, Amount: int64(n) * unit})
		q.Total += int64(n) * unit
	}
	switch req.Service {
	case stemmaster.ServiceStereoMastering:
		add("stereo mastering", 1, p.StereoMastering)
	case stemmaster.ServiceMixing:
		add("mixing", 1, p.Mixing)
	default:
		add("stem mastering", 1, p.StemMastering)
		add(fmt.Sprintf("stems beyond %d", p.IncludedStems), req.Stems-p.IncludedStems, p.PerExtraStem)
	}
	add("extra deliverable", max(req.Deliverables, 1)-1, p.PerExtraDeliverable)
	add("extra version", max(req.Versions, 1)-1, p.PerExtraVersion)
	return q
}

// String formats an amount in minor units as "120.00 EUR".
func (q PriceQuote) String() string {
	return fmt.Sprintf("%d.%02d %s", q.Total/100, q.Total%100, q.Currency)
}

// SumMastered reports whether s masters the sum of its stems as they are:
// no strip does work of its own (a gain, a pan, a mute, EQ, dynamics,
// width) beyond the corrections a check names (an offset, a polarity, a
// channel swap, a resampling), which only put the delivery right. The
// render is then stereo mastering of the stems' sum.
func SumMastered(s *stemmaster.Session) bool {
	for _, st := range s.Stems {
		if st.GainDB != 0 || st.Pan != 0 || st.Mute || len(st.EQ) > 0 || st.Compressor != nil || st.DeEsser != nil ||
			len(st.DynamicEQ) > 0 || st.Multiband != nil || st.Width != nil {
			return false
		}
	}
	return true
}

// QuotedService is the service a quote prices: what the render does for
// session s (nil before one is saved) of a delivery whose check advised
// advised ("" before a check), mix being the reference mix's file ("" with
// none). One file mastered alone (the mix in a stereo session, or the one
// stem with no mix) is stereo mastering. Stems with no mix that the check
// found balanced are advised stereo mastering of their sum: while the
// session masters that sum as it is (SumMastered), stereo mastering is
// what the render does and what the musician is charged, as the advice,
// the page's headline and the CLI say; a session that works on the stems
// is stem mastering. Stems beside a mix are stem mastering whatever the
// advice: the stereo mastering it may advise is of the mix, which the
// stereo mode masters (and the quote then prices).
func QuotedService(advised stemmaster.Service, s *stemmaster.Session, mix string) stemmaster.Service {
	switch {
	case s != nil && len(s.Stems) == 1 && (s.Mix == "" || s.Stems[0].File == mix):
		return stemmaster.ServiceStereoMastering
	case advised == stemmaster.ServiceStereoMastering && mix == "" && (s == nil || SumMastered(s)):
		return stemmaster.ServiceStereoMastering
	}
	return stemmaster.ServiceStemMastering
}
