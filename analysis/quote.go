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
