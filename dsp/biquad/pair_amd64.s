//go:build amd64 && !purego

#include "textflag.h"

// func pairAVX(x0, x1 []float64, k *wideCoefficients, st *[8]float64)
//
// Two sections in series over two channels, the channels side by side in
// the two lanes of an XMM register. Per lane the operations and their order
// are those of run (no fused multiply-add), so each channel's output is
// bit-identical to run2 applied section by section. The second section's
// work on frame i overlaps the first's on frame i+1 in the CPU's pipeline.
// The coefficients are read as memory operands, each stored twice (one per
// lane). st holds p1 p2 (first section) and q1 q2 (second), each [ch0 ch1].
// SECTION runs one section (or, in 4-lane registers, two side by side) on
// the input in register IN with the coefficients B0 K1 K2 A1 A2 (memory
// operands) and the state in S1 and S2, leaving the output in OUT; T0 to
// T3 are scratch. The products first, then the sums, each rounded as Go
// rounds them (no fused multiply-add):
// y = b0·u + s1; s1 = (k1·u + s2) − a1·s1; s2 = k2·u − a2·s1.
#define SECTION(IN, OUT, B0, K1, K2, A1, A2, S1, S2, T0, T1, T2, T3) \
	VMULPD B0, IN, OUT    \
	VMULPD K1, IN, T0     \
	VMULPD A1, S1, T1     \
	VMULPD K2, IN, T2     \
	VMULPD A2, S1, T3     \
	VADDPD S1, OUT, OUT   \
	VADDPD S2, T0, T0     \
	VSUBPD T1, T0, S1     \
	VSUBPD T3, T2, S2

// WSECTION is SECTION with wideCoefficients (the pair kernel's: b0 k1 k2
// a1 a2, each twice, 16 bytes apart) at K(R), two lanes, scratch T0 to
// T3.
#define WSECTION(IN, OUT, K, R, S1, S2, T0, T1, T2, T3) \
	SECTION(IN, OUT, K+0(R), K+16(R), K+32(R), K+48(R), K+64(R), S1, S2, T0, T1, T2, T3)

// GET2 loads frame DX (at byte offset off) of two channels p0 and p1 into
// the two lanes of X register x, [p0[i], p1[i]]; PUT2 stores them back.
#define GET2(off, p0, p1, x) \
	VMOVSD  off(p0)(DX*8), x \
	VMOVHPD off(p1)(DX*8), x, x

#define PUT2(x, off, p0, p1) \
	VMOVSD  x, off(p0)(DX*8) \
	VMOVHPD x, off(p1)(DX*8)

// PSECTION is WSECTION for the pair kernel: coefficients at K(AX),
// scratch X6 to X9.
#define PSECTION(IN, OUT, K, S1, S2) WSECTION(IN, OUT, K, AX, S1, S2, X6, X7, X8, X9)

// QSECTION is SECTION for the quad kernel: coefficients at K(AX), 32
// bytes apart, scratch Y12 to Y15.
#define QSECTION(IN, OUT, K, S1, S2) \
	SECTION(IN, OUT, K+0(AX), K+32(AX), K+64(AX), K+96(AX), K+128(AX), S1, S2, Y12, Y13, Y14, Y15)

// YLOAD4(base, a, b, c, d) loads the 128 bytes at base into four Y
// registers, and YSTORE4 stores them there: the quad registers' state (s1
// then s2 of each, Y2 to Y5) and carries (Y8 to Y11) between calls.
#define YLOAD4(base, a, b, c, d) \
	VMOVUPD 0(base), a  \
	VMOVUPD 32(base), b \
	VMOVUPD 64(base), c \
	VMOVUPD 96(base), d

#define YSTORE4(a, b, c, d, base) \
	VMOVUPD a, 0(base)  \
	VMOVUPD b, 32(base) \
	VMOVUPD c, 64(base) \
	VMOVUPD d, 96(base)

// QUAD_STEPS(STEP, loop, done) is the quad kernel's body with the step
// macro STEP (QSTEP, or QRSTEP with a rider): it loads st and carry
// (Y2 to Y5, Y8 to Y11) and the arguments x0, x1 and k, runs the steps for
// frames 6 … len(x0)−1 (DX), two at a time for the carries' parities, and
// stores st and carry back.
#define QUAD_STEPS(STEP, loop, done) \
	MOVQ    st+56(FP), BX      \
	YLOAD4(BX, Y2, Y3, Y4, Y5) \
	MOVQ    carry+64(FP), R8   \
	YLOAD4(R8, Y8, Y9, Y10, Y11) \
	MOVQ    x0_base+0(FP), SI  \
	MOVQ    x0_len+8(FP), CX   \
	MOVQ    x1_base+24(FP), DI \
	MOVQ    k+48(FP), AX       \
	MOVQ    $6, DX             \
	CMPQ    DX, CX             \
	JGE     done               \
loop:                          \
	STEP(Y8, X8, Y9)           \
	INCQ    DX                 \
	CMPQ    DX, CX             \
	JGE     done               \
	STEP(Y10, X10, Y11)        \
	INCQ    DX                 \
	CMPQ    DX, CX             \
	JL      loop               \
done:                          \
	YSTORE4(Y2, Y3, Y4, Y5, BX) \
	YSTORE4(Y8, Y9, Y10, Y11, R8)

TEXT ·pairAVX(SB), NOSPLIT, $0-64
	XORQ         DX, DX
	MOVQ         x0_len+8(FP), CX
	MOVQ         st+56(FP), BX
	VMOVUPD      0(BX), Y2 // p1, p2
	VEXTRACTF128 $1, Y2, X3
	VMOVUPD      32(BX), Y4 // q1, q2
	VEXTRACTF128 $1, Y4, X5
	MOVQ         k+48(FP), AX
	MOVQ         x0_base+0(FP), SI
	MOVQ         x1_base+24(FP), DI
	CMPQ         DX, CX
	JGE          done

loop:
	GET2(0, SI, DI, X0) // u = [x0[i], x1[i]]
	PSECTION(X0, X1, 0, X2, X3)
	PSECTION(X1, X0, 80, X4, X5)
	PUT2(X0, 0, SI, DI)
	INCQ    DX
	CMPQ    DX, CX
	JL      loop

done:
	VINSERTF128 $1, X3, Y2, Y2
	VMOVUPD     Y2, 0(BX)
	VINSERTF128 $1, X5, Y4, Y4
	VMOVUPD     Y4, 32(BX)
	VZEROUPPER
	RET

// QSTEP is the step for frame t = DX with the outputs of the step for
// frame t−2 in O0 ([A B], also named XO0) and O1 ([C D]), which it
// replaces by its own.
#define QSTEP(O0, XO0, O1) \
	GET2(0, SI, DI, X0)             \
	VPERM2F128   $0x21, O1, O0, Y1  \
	VINSERTF128  $1, XO0, Y0, Y0    \
	QSECTION(Y0, O0, 0, Y2, Y3)     \
	QSECTION(Y1, O1, 160, Y4, Y5)   \
	VEXTRACTF128 $1, O1, X6         \
	PUT2(X6, -48, SI, DI)

// func quadAVX(x0, x1 []float64, k *quadCoefficients, st *[16]float64, carry *[16]float64)
//
// The quad kernel's steady state (see quad.go): the steps for frames
// t = 6 … len(x0)−1, reading x[t] and writing D's output of frame t−6 to
// x[t−6]. Registers [A₀ A₁ B₀ B₁] and [C₀ C₁ D₀ D₁]; st holds s1 then s2
// of each; carry their outputs of the even steps, then of the odd ones
// (in and out). No fused multiply-add: per lane the arithmetic of run.
TEXT ·quadAVX(SB), NOSPLIT, $0-72
	QUAD_STEPS(QSTEP, loop, done)
	VZEROUPPER
	RET

// func forkAVX(x0, x1, r0, r1 []float64, k *quadCoefficients, w *wideCoefficients, st *[24]float64, ns int)
//
// A band filter F of ns sections (2 to 4) and a split G of two over the
// same two channels (the fork of Fork.Process2): register [F₀ F₁ G₀ G₁]
// holds r through F's first section in the low lanes and through G's in
// the high lanes, both fed [r0[i], r1[i]]; the second register the same
// for the second sections. G's output goes back to r; F's third and
// fourth sections (w, pair-kernel coefficients) run on the low lanes in
// two-lane registers, and F's output goes to x. The coefficients of the
// first two are quadden's ([F G] first sections, then second); st holds
// s1 then s2 of each register, then of F's third and fourth sections.
// No fused multiply-add: per lane the arithmetic of run.
TEXT ·forkAVX(SB), NOSPLIT, $0-128
	MOVQ    st+112(FP), BX
	YLOAD4(BX, Y2, Y3, Y4, Y5) // first sections' s1 s2, second sections' s1 s2
	VMOVUPD 128(BX), X6 // F's third section: s1
	VMOVUPD 144(BX), X7 // s2
	VMOVUPD 160(BX), X8 // F's fourth section: s1
	VMOVUPD 176(BX), X9 // s2
	MOVQ    x0_base+0(FP), R8
	MOVQ    x1_base+24(FP), R9
	MOVQ    r0_base+48(FP), SI
	MOVQ    r0_len+56(FP), CX
	MOVQ    r1_base+72(FP), DI
	MOVQ    k+96(FP), AX
	MOVQ    w+104(FP), R11
	MOVQ    ns+120(FP), R12
	XORQ    DX, DX
	CMPQ    DX, CX
	JGE     forkDone

forkLoop:
	GET2(0, SI, DI, X0)
	VINSERTF128  $1, X0, Y0, Y0 // [r0 r1 r0 r1]
	QSECTION(Y0, Y1, 0, Y2, Y3)
	QSECTION(Y1, Y0, 160, Y4, Y5)
	VEXTRACTF128 $1, Y0, X10
	PUT2(X10, 0, SI, DI)
	CMPQ         R12, $3
	JL           forkStore
	WSECTION(X0, X1, 0, R11, X6, X7, X12, X13, X14, X15)
	VMOVAPD      X1, X0
	CMPQ         R12, $4
	JL           forkStore
	WSECTION(X1, X0, 80, R11, X8, X9, X12, X13, X14, X15)

forkStore:
	PUT2(X0, 0, R8, R9)
	INCQ    DX
	CMPQ    DX, CX
	JL      forkLoop

forkDone:
	YSTORE4(Y2, Y3, Y4, Y5, BX)
	VMOVUPD X6, 128(BX)
	VMOVUPD X7, 144(BX)
	VMOVUPD X8, 160(BX)
	VMOVUPD X9, 176(BX)
	VZEROUPPER
	RET
// RSECTION is SECTION on one lane (scalar, AVX-512's X16–X23): the rider's
// section on the input in X18 with its coefficients at R9 (b0 k1 k2 a1 a2)
// and its state in X16 (s1) and X17 (s2), output in X19: the products
// first, then the sums, each rounded as run rounds them.
#define RSECTION \
	VMULSD 0(R9), X18, X19  \
	VMULSD 8(R9), X18, X20  \
	VMULSD 24(R9), X16, X21 \
	VMULSD 16(R9), X18, X22 \
	VMULSD 32(R9), X16, X23 \
	VADDSD X16, X19, X19    \
	VADDSD X17, X20, X20    \
	VSUBSD X21, X20, X16    \
	VSUBSD X23, X22, X17

// QRSTEP is QSTEP with the rider's step for m[t−6] after it.
#define QRSTEP(O0, XO0, O1) \
	QSTEP(O0, XO0, O1)              \
	VMOVSD       -48(R10)(DX*8), X18 \
	RSECTION                        \
	VMOVSD       X19, -48(R10)(DX*8)

// func quadRiderAVX512(x0, x1 []float64, k *quadCoefficients, st *[16]float64, carry *[16]float64, m []float64, r *[5]float64, rs *[2]float64)
//
// quadAVX's steady state with a rider: in the step for frame t the one
// section r (state rs: s1, s2) also filters m[t−6], an independent
// recursion the CPU overlaps with the quad's (whose latency leaves most of
// the floating-point units idle). Per lane the arithmetic of run.
TEXT ·quadRiderAVX512(SB), NOSPLIT, $0-112
	MOVQ   m_base+72(FP), R10
	MOVQ   r+96(FP), R9
	MOVQ   rs+104(FP), R11
	VMOVSD 0(R11), X16
	VMOVSD 8(R11), X17
	QUAD_STEPS(QRSTEP, rloop, rdone)
	VMOVSD X16, 0(R11)
	VMOVSD X17, 8(R11)
	VZEROUPPER
	RET
