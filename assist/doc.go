// Package assist is the mastering assistant: it analyses stems (and the
// client's mix and reference tracks) and proposes a complete session —
// balance, per-stem corrective EQ and compression, the master's tonal EQ,
// glue compressor, limiter and loudness target — with every automatic
// decision carrying an amount (0 = off, 1 = full) and a one-line reason.
//
// # Design
//
// The proposal is an ordinary stemmaster.Session: nothing is hidden in a
// side channel the engine would need. The reasons travel three ways: as
// Decision values (Proposal.Decisions, the CLI's table and --json), and in
// the session file as YAML comments above the field each decision sets
// (Proposal.YAML). Comments are the one thing the session reader ignores,
// so the file needs no schema change and masters as it stands; an engineer
// edits it like any session. What the assistant reports without acting on
// it (a stem with a negative correlation it does not narrow, sibilance it
// cannot split) is listed in the file's header and as decisions of amount 0.
//
// Amounts interpolate from the plain session — every stem at unity with no
// EQ or compressor, the engine's DefaultMaster, the default target — to the
// full proposal: EQ gains and compressor ratios scale, high-pass cut-offs
// move from 20 Hz, each stem's final loudness moves from its delivered one
// to its target, master parameters move from DefaultMaster's. Amount 0 is
// the plain session field for field, so it renders byte for byte what
// `stemmaster master STEM…` renders, save the corrections the check names
// (an offset, a polarity, exchanged channels, a conversion): they repair
// the delivery rather than shape it, and hold at every amount.
//
// # One measurement per fact
//
// Where a stem plays against the mix, its polarity, its channels and its
// rate are the check's findings (Options.Check), read through
// analysis.Resolve, the rule the page's ✓, the render gate and report.json
// read: the assistant makes those corrections on the stems before it
// analyses them and measures none of them again, so `check`, `assist` and
// the page cannot give one stem two offsets.
//
// The assistant measures what it proposes: each stem is run through the
// same biquad and compressor processors the engine uses (process), and its
// gain is set on the result, so the balance holds after EQ and compression.
// Decisions are made in order: per-stem faults and tone, balance, a first
// render, masking between families on the rendered stems, the final render,
// then the master on the proposed sum.
//
// # Analysis
//
// Per stem and for the sums: integrated loudness and loudness range
// (package loudness, ITU-R BS.1770-4 / EBU Tech 3342); the long-term
// spectrum in 1/3-octave bands (base-2 centres, IEC 61260-1) for mid, side
// and both, from Hann-windowed FFTs (gonum) averaged in power; crest (the
// median of 1 s windows' peak-to-RMS, level-independent); onsets per second
// (10 ms frames 8 dB over the previous 100 ms, in level or in the second
// difference: the top, where a drum hit stands out of a full mix whose
// bass and chords hold its level); side-to-mid ratio, L/R
// correlation, correlation under 150 Hz and the mono fold-down's loss;
// sibilance on vocals (5–10 kHz against 1–5 kHz in the loudest tenth of
// 20 ms frames, and where those frames peak); resonances (1/24-octave peaks at least 8 dB over the
// surrounding octave's median that also stand 6 dB out frame by frame most
// of the time, which tells a ringing mode from a note played part of the
// time); on vocals and effects, which carry nothing under 80 Hz, mains
// hum (lines at 50 or 60 Hz and harmonics, 10 dB over the bins around
// them, 8 dB frame by frame in most frames, in a spectrum of bins under
// 0.4 Hz that tells a line from a note beside it) and the strongest
// narrow peak under 80 Hz (read as resonances are, steady as hum is);
// masking of the kick by the bass under 120 Hz and of the lead vocal
// by the instruments at 1–5 kHz.
//
// # Decisions and where the numbers come from
//
//   - Balance. With the client's mix: least-squares gains of the stems
//     as the check's corrections play them (its offsets, polarities and
//     channel swaps; against a mix the check finds shifted, the mix moved
//     by its offset) against it (analysis.Gram), the sum kept at its
//     delivered loudness — the mix is the client's intent. A fit that
//     leaves more than −10 dB of the mix unexplained gives no balance, and
//     a stem the fit plays under −30 dB keeps its delivered level: neither
//     is a balance a mix engineer chose. Without: family norms
//     (analysis.BalanceNorms, analysis.NormBalance), engineering rules of
//     thumb inside analysis.TypicalBalance's ranges; no standard fixes a
//     mix balance. Each family's level is the check's measure
//     (analysis.FamilyLevelOf: its stems summed as they play, against the
//     sum where it plays), so the move is the one the check's advice
//     quotes; where the advice reads otherwise (the whole song beside
//     the excerpt a budget leaves; the modern norms beside the family
//     the sum reads), the reason gives the advice's figures and says
//     which is which. Stems of one family keep their delivered balance between
//     them.
//   - Corrective EQ. High-passes by role (rules of thumb: 80 Hz lead vocal,
//     120 Hz backing vocals, 40 Hz instruments and effects, 25 Hz drums and
//     bass) when more than −30 dB of the stem's energy lies below — but
//     no more than a quarter of it where the cut-off is 40 Hz or under:
//     more is a part playing there (a sub drop, a bass line), not
//     rumble, which sits 20 dB or more under a stem; a cut on
//     each resonance (−2 dB at 8 dB excess, −0.5 dB per dB more, at most
//     −6 dB); on a vocal or an effect, a notch on each of the three
//     strongest lines of mains hum (2 Hz wide; f/50 over 100 Hz, Q
//     being at most 50) and on a narrow peak under 80 Hz, as deep as it stands out (at most 30 dB): the role's
//     high-pass takes only 8 dB off 50 Hz. Kicks and basses are never
//     searched there; without a mix, octave-wide bands (Q √2) fitted by least
//     squares so the stem's octave-smoothed spectrum follows its family's
//     curve (stemCurves), at most ±4 dB a band (stem mastering corrects
//     a family's tone by a few dB; further is its mix's job), over the stem's active
//     range only (bands within 24 dB of its loudest, tapering to none 12 dB
//     further down, so no band is boosted where the stem holds nothing) —
//     which is what makes the proposal independent of how the stems were
//     delivered (a −4 dB shelf on the instruments is undone, as far as
//     the bound leaves room). A drums stem
//     with no kick (under −30 dB at 40–120 Hz) is matched to a percussion
//     curve instead. The vocal curves follow the long-term
//     average speech spectrum of Byrne et al., "An international
//     comparison of long-term average speech spectra", JASA 96(4), 1994
//     (rounded; flat 250–500 Hz, about −8 dB at 2 kHz), with a produced
//     vocal's high-pass and extra presence as rules of thumb; the drums,
//     bass and instruments curves are rules of thumb.
//   - Dynamics. A compressor where a stem's crest exceeds its family's
//     ceiling (stemDynamics, rules of thumb): ratio 1 + excess/3 (at most 4:1),
//     threshold half the ceiling above the stem's final loudness, attack and
//     release by family, makeup measured.
//   - Masking. A −2 dB dip (Q 2) on the bass at the kick's strongest band
//     when both sit within 6 dB there; a dip at 2.5 kHz on the instruments
//     when they come within 3 dB of the lead vocal at 1–5 kHz (rules of
//     thumb).
//   - Master tone. Octave bands toward the family's master curve on
//     what lies beyond 1.5 dB of it (masters of one style spread by a few
//     dB an octave around the mean: within that a mix is not dull, harsh
//     or boomy but itself), the departure centred on the level most
//     bands agree on (the median of the densest ±0.75 dB cluster, the one
//     nearest the median on a tie) so that one region out of place is
//     corrected without a shift of the rest and cannot move what the
//     rest is measured against (a boom lifting a third of the bands moved
//     the plain median 0.5 dB and the top read dull),
//     no lift under 45 Hz (a mix short there lacks an instrument; a lift
//     adds rumble and costs the limiter headroom; nor a cut there of what
//     it lacks: those bands leave the fit), the whole curve held
//     within ±3 dB. The reason names each region moved in a musician's
//     words (boomy, muddy, honky, harsh, bright; thin, hollow, scooped,
//     distant, dull) with its largest departure. Matched to references,
//     the match EQ is fitted on top of it. The modern curve follows the shape of
//     the mean long-term spectrum of popular music reported by Elowsson and
//     Friberg,
//     "Long-term average spectrum in popular music and its relation to the
//     level of the percussion", AES Convention 142, paper 9762, 2017, and
//     Pestana et al., "Spectral characteristics of popular commercial
//     recordings 1950–2010", AES Convention 135, 2013: a plateau from 50 to
//     120 Hz and a fall of about 3 dB per octave above. The corner figures
//     are read as a shape, not copied from their tables; the bass-heavy and
//     acoustic offsets (±3 dB under 100 Hz) are rules of thumb. The family
//     is chosen by --family or classified from the sum: acoustic by crest
//     and onsets (rules of thumb), else the curve, bass-heavy or modern,
//     whose sub-bass the sum's broad tone lies nearer: its level under
//     50 Hz, where the two curves lie 3 dB apart, against its low mids
//     (250 Hz–1 kHz), where they agree (so a mix on the modern curve
//     reads modern, and a dull or bright top does not move the reading).
//     Broad tone: each third-octave band the median of the five around
//     it, so that a genre is a tilt over octaves and a boom is not one;
//     a broad boom at 120 Hz lifts the bass over 60 Hz and falls away
//     under it.
//   - Boom. A third-octave band from 40 to 160 Hz of the proposed sum
//     standing 3 dB or more over that broad tone, whose narrow peak
//     stands over the octave around it in most frames, by two thirds of
//     what it stands over the whole (a resonance, not a song's bass notes,
//     nor a sub part loud in one passage and faint elsewhere), gets a peak cut as narrow as the peak (Q from
//     its width, 2 … 8) and deep enough to bring the band to the broad
//     tone (at most 8 dB), before the master tone is fitted on the sum
//     with that cut made (rules of thumb). Without it the octave bands
//     spread the cut over an octave and took a third of it.
//   - De-esser. A vocal whose sibilance (above) exceeds −3 dB gets the
//     engine's split-band de-esser: split half an octave under the
//     frequency where its loudest esses peak (the LR8 high band then
//     passes 94 % of the cut at the peak), threshold at the 80th
//     percentile of the split band's 20 ms peaks on the signal the
//     de-esser receives (the esses are the loudest fifth at most), range
//     3 dB at the norm plus 0.5 dB per dB over it, at most 8 dB, times the
//     amount (amount 0: no de-esser). All rules of thumb: no standard
//     fixes how sibilant a vocal may be; 3–8 dB is the usual de-essing
//     depth.
//   - Width. A stem whose side outweighs its mid (side-to-mid over 0 dB:
//     correlation about 0, the mono fold-down (L+R)/2 3 dB under the
//     stereo level, the point where correlation meters turn from safe to
//     risky) gets the width (side gain) that brings its side to −3 dB
//     against the mid (correlation about +0.33, fold-down 1.8 dB down),
//     at least 0.25, raised to the power amount (amount 0: no width).
//     The mid, and so the mono sum, is unchanged; the stem's gain (or
//     compressor makeup) keeps its loudness. A stem strongly anti-phase
//     (correlation under −0.5) is narrowed only as far as 0.25 and its
//     reason says to check one channel's polarity. A stem whose low end
//     (under 150 Hz) correlates under 0.5 gets a two-band multiband that
//     does nothing but width, split at 150 Hz (LR4), its low band's width
//     1 − amount (mono at full amount: "mono bass", so the low end keeps
//     its level on mono systems and cuts cleanly). Thresholds are rules
//     of thumb.
//   - Master width. The proposed sum's side-to-mid ratio above 150 Hz
//     moves into its family's range (masterWidthNorms: −12 to −5 dB,
//     acoustic −13 to −4; correlation about +0.88 to +0.5; rules of
//     thumb) at the amount, then toward the references' at the match
//     amount. It is never widened past a correlation of +0.5, nor more
//     than side +6 dB, nor at all when it holds no side (under −30 dB:
//     the reason then says it is all but mono and needs a wider mix);
//     under 150 Hz it narrows as much as the top widens (the LR4
//     crossover would otherwise carry some widening down) and goes to
//     mono where the sum's low end correlates under 0.5. The side gain
//     leaves the mid, so the mono fold-down, as it is. It lands on
//     master.multiband, two bands split at 150 Hz that do nothing but
//     width.
//   - Glue and limiter. DefaultMaster's glue compressor with its threshold
//     8 dB over the proposed sum's loudness and its ratio raised toward
//     2.5:1 when the limiter would otherwise take more than 4 dB (predicted
//     from the sum's peak-to-loudness ratio and the target); the limiter's
//     release shortened on dense transients and lengthened on sparse ones.
//   - Reference matching. The references' 1/3-octave spectra, each
//     normalised to its integrated loudness, are blended by weight (in
//     power) and smoothed; the proposal aims at the plain proposal's
//     spectrum moved MatchAmount of the way to the blend (under amount 1,
//     the plain proposal's spectrum as mastered: its sum through its own
//     glue compressor and limiter, which shape its tone too). Where one stem
//     holds more than half of the proposed sum's energy in the low end
//     (under 120 Hz) or the air (over 8 kHz), that region's difference goes
//     to a shelf on that stem; the master's match EQ (master.match_eq, a
//     linear-phase FIR from package dsp/lineq, points at the third-octave
//     centres from 40 Hz to 16 kHz, at most ±15 dB) takes the rest. The
//     points are solved together (Gauss–Newton) against a model of what
//     the measurement reads: the sum's FFT bins through the master EQ and
//     the curve, binned into third octaves and smoothed as the analysis
//     does, so a point's effect on its neighbours' smoothed levels and a
//     programme slope inside a band are accounted for; a curvature term
//     keeps the curve's turns to those of the plain difference. The match
//     is then run through a simulation of the master chain (match EQ, EQ,
//     glue compressor, gain, limiter) and solved again three times for
//     what is left, so the delivered master, not only its input, lands on
//     the aim. Loudness
//     follows the references unless a target is given; width as above.
//
// The match is linear-phase, as Matchering's is: a correction of up to
// ±15 dB over the whole band would otherwise turn phase around between
// neighbouring bands, and the curve is one editable list of points. It
// cannot fill a band the programme does not reach (a mix band-limited at
// 16 kHz keeps its top band short of a brighter reference).
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package assist
