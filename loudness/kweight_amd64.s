//go:build amd64 && !purego

#include "textflag.h"

// KFEEDBACK ends a stage of the K-weighting: dst = (acc − c2·s2) − c1·s1,
// the coefficients c2 and c1 at byte offsets o2 and o1 of AX; t is
// scratch, and acc holds the partial result.
#define KFEEDBACK(o2, s2, o1, s1, acc, t, dst) \
	VMULPD o2(AX), s2, t; \
	VSUBPD t, acc, acc; \
	VMULPD o1(AX), s1, t; \
	VSUBPD t, acc, dst

// KSTEP runs both K-weighting stages for one frame over the lanes of
// registers of width W bytes (16: X registers, two lanes; 32: Y
// registers, four lanes), with the sum of the squared output:
//
//	y = (b0·in + b1·x1 + b2·x2 − a2·y2) − a1·y1
//	o = (y − 2·y1 + y2 − c2·o2) − c1·o1
//
// Per lane the operations and their order are kFilter.run's (no fused
// multiply-add), so every channel's figures are bit-identical to run2's.
// AX points at the coefficients b0 b1 b2 a1 a2 c1 c2 2, each W bytes wide.
#define KSTEP(W, in, x1, x2, y1, y2, o1, o2, sum, t0, t1, t2, t3) \
	VMULPD  (0*W)(AX), in, t0; \
	VMULPD  (1*W)(AX), x1, t1; \
	VADDPD  t1, t0, t0; \
	VMULPD  (2*W)(AX), x2, t1; \
	VADDPD  t1, t0, t0; \
	KFEEDBACK((4*W), y2, (3*W), y1, t0, t1, t0); \
	VMULPD  (7*W)(AX), y1, t2; \
	VSUBPD  t2, t0, t2; \
	VADDPD  y2, t2, t2; \
	KFEEDBACK((6*W), o2, (5*W), o1, t2, t3, t2); \
	VMOVAPD x1, x2; \
	VMOVAPD in, x1; \
	VMOVAPD y1, y2; \
	VMOVAPD t0, y1; \
	VMOVAPD o1, o2; \
	VMOVAPD t2, o1; \
	VMULPD  t2, t2, t3; \
	VADDPD  t3, sum, sum

// KLOAD and KSTORE move the state x1 x2 y1 y2 o1 o2 sum, each W bytes
// wide, between BX and registers.
#define KLOAD(W, x1, x2, y1, y2, o1, o2, sum) \
	VMOVUPD (0*W)(BX), x1; \
	VMOVUPD (1*W)(BX), x2; \
	VMOVUPD (2*W)(BX), y1; \
	VMOVUPD (3*W)(BX), y2; \
	VMOVUPD (4*W)(BX), o1; \
	VMOVUPD (5*W)(BX), o2; \
	VMOVUPD (6*W)(BX), sum

#define KSTORE(W, x1, x2, y1, y2, o1, o2, sum) \
	VMOVUPD x1, (0*W)(BX); \
	VMOVUPD x2, (1*W)(BX); \
	VMOVUPD y1, (2*W)(BX); \
	VMOVUPD y2, (3*W)(BX); \
	VMOVUPD o1, (4*W)(BX); \
	VMOVUPD o2, (5*W)(BX); \
	VMOVUPD sum, (6*W)(BX)

// KBEGIN2 loads the state of a two-lane kernel (xa, xb []float32, k, st)
// from st into X1-X7 and points SI and DI at xa and xb, AX at k, BX at
// st; CX holds len(xa), DX the frame index, 0.
#define KBEGIN2 \
	MOVQ st+56(FP), BX; \
	KLOAD(16, X1, X2, X3, X4, X5, X6, X7); \
	MOVQ k+48(FP), AX; \
	MOVQ xb_base+24(FP), DI; \
	MOVQ xa_base+0(FP), SI; \
	XORQ DX, DX; \
	MOVQ xa_len+8(FP), CX

// KIN2 loads frame DX of xa and xb into the two lanes of X0, as float64.
#define KIN2 \
	VMOVSS    (SI)(DX*4), X0; \
	VINSERTPS $0x10, (DI)(DX*4), X0, X0; \
	VCVTPS2PD X0, X0

// KNEXT(loop) moves DX to the next frame and repeats loop below CX.
#define KNEXT(loop) \
	INCQ DX; \
	CMPQ DX, CX; \
	JL   loop

// KRUN is the K-weighting's loop, at every width: for frames DX … CX−1,
// FRAME (a macro) loads the frame into the lanes of in and KSTEP(W, …)
// runs it; at done the state goes back to BX (KSTORE).
#define KRUN(W, FRAME, loop, done, in, x1, x2, y1, y2, o1, o2, sum, t0, t1, t2, t3) \
	CMPQ DX, CX; \
	JGE  done; \
loop: \
	FRAME; \
	KSTEP(W, in, x1, x2, y1, y2, o1, o2, sum, t0, t1, t2, t3); \
	KNEXT(loop); \
done: \
	KSTORE(W, x1, x2, y1, y2, o1, o2, sum)

// KIN4 loads frame DX of four channels (float32, at a, b, c, d) into the
// four lanes of x.
#define KIN4(a, b, c, d, x) \
	VMOVSS    (a)(DX*4), x; \
	VINSERTPS $0x10, (b)(DX*4), x, x; \
	VINSERTPS $0x20, (c)(DX*4), x, x; \
	VINSERTPS $0x30, (d)(DX*4), x, x

// KIN4Y loads frame DX of kweight4AVX's four channels into Y0, as float64.
#define KIN4Y \
	KIN4(SI, DI, R8, R9, X0); \
	VCVTPS2PD X0, Y0

// func kweight2AVX(xa, xb []float32, k *wideK, st *[14]float64)
//
// One stereo stream: its two channels in the two lanes of X registers
// (four lanes with a stream's copy in the other two cost 20 % more per
// frame: the loads and shuffles). st holds x1 x2 y1 y2 o1 o2 sum, each
// [channel a, channel b]; k holds each coefficient twice.
TEXT ·kweight2AVX(SB), NOSPLIT, $0-64
	KBEGIN2
	KRUN(16, KIN2, loop2, done2, X0, X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11)
	RET

// func kweight4AVX(xa0, xa1, xb0, xb1 []float32, k *quadK, st *[28]float64)
//
// Two stereo streams: their four channels in the four lanes of Y
// registers (ProcessPair). st holds x1 x2 y1 y2 o1 o2 sum, each
// [a0, a1, b0, b1]; k holds each coefficient four times.
TEXT ·kweight4AVX(SB), NOSPLIT, $0-112
	MOVQ    st+104(FP), BX
	KLOAD(32, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	MOVQ    k+96(FP), AX
	MOVQ    xa0_base+0(FP), SI
	MOVQ    xa1_base+24(FP), DI
	MOVQ    xb0_base+48(FP), R8
	MOVQ    xb1_base+72(FP), R9
	XORQ    DX, DX
	MOVQ    xa0_len+8(FP), CX
	KRUN(32, KIN4Y, loop4, done4, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11)
	VZEROUPPER
	RET

DATA  kpNine<>+0(SB)/8, $9.0
DATA  kpNine<>+8(SB)/8, $9.0
GLOBL kpNine<>(SB), RODATA|NOPTR, $16
DATA  kpSixteenth<>+0(SB)/8, $0.0625
DATA  kpSixteenth<>+8(SB)/8, $0.0625
GLOBL kpSixteenth<>(SB), RODATA|NOPTR, $16

// func kweightPeak2AVX(xa, xb []float32, k *wideK, st *[22]float64)
//
// kweight2AVX with the peak estimate of peakEstimate in the same loop,
// where it costs nothing: the K-weighting's recursions leave the
// processor idle between their steps. st holds x1 x2 y1 y2 o1 o2 sum p3
// p2 p1 peak, each [channel a, channel b]; sum and peak start at zero (not
// loaded: the caller may have just written them, and a 16-byte load of two
// fresh 8-byte stores stalls). The maximum is VMAXPD's, which differs from
// max only for NaN: the caller takes a stretch with NaN again in Go.
TEXT ·kweightPeak2AVX(SB), NOSPLIT, $0-64
	KBEGIN2
	VXORPD  X7, X7, X7
	VMOVUPD 112(BX), X12
	VMOVUPD 128(BX), X13
	VMOVUPD 144(BX), X14
	VXORPD  X15, X15, X15
	CMPQ    CX, $0
	JEQ     donep

loopp:
	KIN2
	KSTEP(16, X0, X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11)

	// mid = (9·(p2 + p1) − p3 − in)/16; peak = max(peak, |in|, |mid|)
	VADDPD  X14, X13, X8
	VMULPD  kpNine<>(SB), X8, X8
	VSUBPD  X12, X8, X8
	VSUBPD  X0, X8, X8
	VMULPD  kpSixteenth<>(SB), X8, X8
	VANDPD  ·absMask(SB), X0, X9
	VMAXPD  X9, X15, X15
	VANDPD  ·absMask(SB), X8, X8
	VMAXPD  X8, X15, X15
	VMOVAPD X13, X12
	VMOVAPD X14, X13
	VMOVAPD X0, X14
	KNEXT(loopp)

donep:
	KSTORE(16, X1, X2, X3, X4, X5, X6, X7)
	VMOVUPD X12, 112(BX)
	VMOVUPD X13, 128(BX)
	VMOVUPD X14, 144(BX)
	VMOVUPD X15, 160(BX)
	RET

// K8ROT is KSTEP(64, …) for one frame, its eight channels' samples
// (float32) in y, the same operations in the same order, but with no
// moves of the state: the frame's input goes where x2 was (once b2·x2 is
// taken) and its output o where o2 was, so the next frame finds x1 and x2,
// y1 and y2, o1 and o2 in each other's registers (K8PAIR runs the two);
// only y moves, since the output still adds the old y2 after y is known.
#define K8ROT(y, x1, x2, y1, y2, o1, o2) \
	VMULPD    128(AX), x2, Z9; \
	VCVTPS2PD y, x2; \
	VMULPD    (AX), x2, Z8; \
	VMULPD    64(AX), x1, Z10; \
	VADDPD    Z10, Z8, Z8; \
	VADDPD    Z9, Z8, Z8; \
	KFEEDBACK(256, y2, 192, y1, Z8, Z9, Z8); \
	VMULPD    448(AX), y1, Z10; \
	VSUBPD    Z10, Z8, Z10; \
	VADDPD    y2, Z10, Z10; \
	KFEEDBACK(384, o2, 320, o1, Z10, Z11, o2); \
	VMOVAPD   Z8, y2; \
	VMULPD    o2, o2, Z11; \
	VADDPD    Z11, Z7, Z7

// K8PAIR runs two frames (K8ROT), leaving the state in Z1–Z6 as it found
// it.
#define K8PAIR(ya, yb) \
	K8ROT(ya, Z1, Z2, Z3, Z4, Z5, Z6); \
	K8ROT(yb, Z2, Z1, Z4, Z3, Z6, Z5)

// KIN8 loads frame DX of kweight8AVX512's eight channels into Z0, as
// float64.
#define KIN8 \
	KIN4(SI, DI, R8, R9, X0); \
	KIN4(R10, R11, R12, R13, X8); \
	VINSERTF128 $1, X8, Y0, Y0; \
	VCVTPS2PD   Y0, Z0

// func kweight8AVX512(x *[8]*float32, n int, k *octK, st *[56]float64)
//
// Four stereo streams: their eight channels in the eight lanes of Z
// registers (ProcessGroup), from frame 0 to n of each x[j]. st holds x1
// x2 y1 y2 o1 o2 sum, each eight lanes; k holds each coefficient eight
// times. A 512-bit step costs about two 256-bit ones, but the four-lane
// kernel waits on its recursions most of the time: two streams' worth of
// independent lanes fill it.
TEXT ·kweight8AVX512(SB), NOSPLIT, $0-32
	MOVQ st+24(FP), BX
	KLOAD(64, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	MOVQ x+0(FP), AX
	MOVQ 0(AX), SI
	MOVQ 8(AX), DI
	MOVQ 16(AX), R8
	MOVQ 24(AX), R9
	MOVQ 32(AX), R10
	MOVQ 40(AX), R11
	MOVQ 48(AX), R12
	MOVQ 56(AX), R13
	MOVQ k+16(FP), AX
	MOVQ n+8(FP), CX
	XORQ DX, DX
	CMPQ CX, $0
	JEQ  done8

	// Whole runs of eight frames: each channel's eight samples in one
	// load, the 8×8 block transposed (frame f of every channel in Y24+f),
	// instead of eight loads and inserts per frame.
blk8:
	LEAQ 8(DX), R14
	CMPQ R14, CX
	JGT  tail8
	VMOVUPS    (SI)(DX*4), Y16
	VMOVUPS    (DI)(DX*4), Y17
	VMOVUPS    (R8)(DX*4), Y18
	VMOVUPS    (R9)(DX*4), Y19
	VMOVUPS    (R10)(DX*4), Y20
	VMOVUPS    (R11)(DX*4), Y21
	VMOVUPS    (R12)(DX*4), Y22
	VMOVUPS    (R13)(DX*4), Y23
	VUNPCKLPS  Y17, Y16, Y24
	VUNPCKHPS  Y17, Y16, Y25
	VUNPCKLPS  Y19, Y18, Y26
	VUNPCKHPS  Y19, Y18, Y27
	VUNPCKLPS  Y21, Y20, Y28
	VUNPCKHPS  Y21, Y20, Y29
	VUNPCKLPS  Y23, Y22, Y30
	VUNPCKHPS  Y23, Y22, Y31
	VSHUFPS    $0x44, Y26, Y24, Y16
	VSHUFPS    $0xee, Y26, Y24, Y17
	VSHUFPS    $0x44, Y27, Y25, Y18
	VSHUFPS    $0xee, Y27, Y25, Y19
	VSHUFPS    $0x44, Y30, Y28, Y20
	VSHUFPS    $0xee, Y30, Y28, Y21
	VSHUFPS    $0x44, Y31, Y29, Y22
	VSHUFPS    $0xee, Y31, Y29, Y23
	VSHUFF32X4 $0, Y20, Y16, Y24
	VSHUFF32X4 $0, Y21, Y17, Y25
	VSHUFF32X4 $0, Y22, Y18, Y26
	VSHUFF32X4 $0, Y23, Y19, Y27
	VSHUFF32X4 $3, Y20, Y16, Y28
	VSHUFF32X4 $3, Y21, Y17, Y29
	VSHUFF32X4 $3, Y22, Y18, Y30
	VSHUFF32X4 $3, Y23, Y19, Y31
	K8PAIR(Y24, Y25)
	K8PAIR(Y26, Y27)
	K8PAIR(Y28, Y29)
	K8PAIR(Y30, Y31)
	MOVQ       R14, DX
	JMP        blk8

tail8:
	KRUN(64, KIN8, loop8, done8, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11)
	VZEROUPPER
	RET
