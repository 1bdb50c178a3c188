//go:build amd64 && !purego

#include "textflag.h"

// ZERO4 clears four accumulators.
#define ZERO4(a, b, c, d) \
	VXORPD a, a, a \
	VXORPD b, b, b \
	VXORPD c, c, c \
	VXORPD d, d, d

// LOAD4 loads 16 doubles from base at element AX into four registers.
#define LOAD4(base, r0, r1, r2, r3) \
	VMOVUPD (base)(AX*8), r0 \
	VMOVUPD 32(base)(AX*8), r1 \
	VMOVUPD 64(base)(AX*8), r2 \
	VMOVUPD 96(base)(AX*8), r3

// GETACC4(o, base, r0, r1, r2, r3) loads four accumulators from the 128
// bytes at o(base), and PUTACC4 stores them there: the lanes kernels carry
// their sums from one call to the next in memory.
#define GETACC4(o, base, r0, r1, r2, r3) \
	VMOVUPD (o)(base), r0 \
	VMOVUPD (o+32)(base), r1 \
	VMOVUPD (o+64)(base), r2 \
	VMOVUPD (o+96)(base), r3

#define PUTACC4(r0, r1, r2, r3, o, base) \
	VMOVUPD r0, (o)(base) \
	VMOVUPD r1, (o+32)(base) \
	VMOVUPD r2, (o+64)(base) \
	VMOVUPD r3, (o+96)(base)

// LEFT8 sets DX to the elements left (CX − AX) and jumps to less when
// there are fewer than 8.
#define LEFT8(less) \
	MOVQ CX, DX \
	SUBQ AX, DX \
	CMPQ DX, $8 \
	JLT  less

// STEP2(a, o0, o1, b0, b1, t0, t1, s00, s10, s01, s11) loads a at byte
// offsets o0 and o1 (from element AX) into t0 and t1 and adds their
// products with b0 and b1 at the same offsets: t0 into s00 (b0) and s10
// (b1), t1 into s01 and s11. Each load of a feeds two FMAs.
#define STEP2(a, o0, o1, b0, b1, t0, t1, s00, s10, s01, s11) \
	VMOVUPD     o0(a)(AX*8), t0 \
	VMOVUPD     o1(a)(AX*8), t1 \
	VFMADD231PD o0(b0)(AX*8), t0, s00 \
	VFMADD231PD o0(b1)(AX*8), t0, s10 \
	VFMADD231PD o1(b0)(AX*8), t1, s01 \
	VFMADD231PD o1(b1)(AX*8), t1, s11

// START16(tail) sets AX to 0 and DX to the elements in whole steps of 16
// (k in CX rounded down), and jumps to tail when there are none.
#define START16(tail) \
	XORQ AX, AX \
	MOVQ CX, DX \
	ANDQ $-16, DX \
	JZ   tail

// ROWPTRS(r, a, b0, b1) points a, b0, b1 at the row and windows of the
// frame whose offsets r points to, for the job in SI.
#define ROWPTRS(r, a, b0, b1) \
	MOVQ 0(r), AX \
	SHLQ $3, AX \
	MOVQ 0(SI), a \
	ADDQ AX, a \
	MOVQ 8(r), AX \
	SHLQ $3, AX \
	MOVQ 8(SI), b0 \
	ADDQ AX, b0 \
	MOVQ 16(SI), b1 \
	ADDQ AX, b1

// NEXT16(loop) advances AX by 16 elements and repeats loop below DX.
#define NEXT16(loop) \
	ADDQ $16, AX \
	CMPQ AX, DX \
	JLT  loop

// ROW16 is dot2RowsAVX2's step of 16 elements of one row (a in R12, b0 in
// R13, b1 in BX), both results in four accumulators each (Y0–Y3 with b0,
// Y4–Y7 with b1). dot2LanesAVX continues those sums over more steps, so
// the two must add the same products into the same lanes: they share it.
// Its first half, ROW8, is the tail's step of 8 (FINISH), into the first
// two accumulators of each result.
#define ROW8 STEP2(R12, 0, 32, R13, BX, Y8, Y9, Y0, Y4, Y1, Y5)

#define ROW16 \
	ROW8 \
	STEP2(R12, 64, 96, R13, BX, Y10, Y11, Y2, Y6, Y3, Y7)

// TAIL1(a, b0, b1, xt, s0, s1) adds a[AX]·b0[AX] to s0 and a[AX]·b1[AX]
// to s1 (scalar FMAs); xt is scratch.
#define TAIL1(a, b0, b1, xt, s0, s1) \
	VMOVSD      (a)(AX*8), xt \
	VFMADD231SD (b0)(AX*8), xt, s0 \
	VFMADD231SD (b1)(AX*8), xt, s1

// REDUCE4 sums four accumulators, (a + b) + (c + d), then their four
// lanes, (0 + 2) + (1 + 3), into the low double of xa (the XMM half of a);
// xb is scratch.
#define REDUCE4(a, b, c, d, xa, xb) \
	VADDPD       b, a, a \
	VADDPD       d, c, c \
	VADDPD       c, a, a \
	VEXTRACTF128 $1, a, xb \
	VADDPD       xb, xa, xa \
	VUNPCKHPD    xa, xa, xb \
	VADDSD       xb, xa, xa

// FINISH is the end of every kernel's sums after its whole steps of 16
// (AX at the first element left, CX the length), in the order that gives
// them their bits and that finishRow repeats in Go: at most 15 elements
// are left, so at most one step of 8 (STEP8, into the first two
// accumulators) and one of 4 (STEP4, into the third), adding no dependent
// chain of FMAs; then the horizontal sums (REDUCE), then single elements
// (STEP1) up to done. The kernel's steps are macros (no arguments).
#define FINISH(STEP8, STEP4, REDUCE, STEP1, four, reduce, loop1, done) \
	LEFT8(four) \
	STEP8 \
	ADDQ $8, AX \
	SUBQ $8, DX \
four: \
	CMPQ DX, $4 \
	JLT  reduce \
	STEP4 \
	ADDQ $4, AX \
reduce: \
	REDUCE \
	CMPQ AX, CX \
	JGE  done \
loop1: \
	STEP1 \
	INCQ AX \
	CMPQ AX, CX \
	JLT  loop1 \
done:

// dotAVX2's steps for FINISH: a (SI) times b (DI) into Y0–Y3, the sum into
// X0.
#define DOT8 \
	VMOVUPD     (SI)(AX*8), Y4 \
	VMOVUPD     32(SI)(AX*8), Y5 \
	VFMADD231PD (DI)(AX*8), Y4, Y0 \
	VFMADD231PD 32(DI)(AX*8), Y5, Y1

#define DOT4 \
	VMOVUPD     (SI)(AX*8), Y6 \
	VFMADD231PD (DI)(AX*8), Y6, Y2

#define DOTSUM REDUCE4(Y0, Y1, Y2, Y3, X0, X1)

#define DOT1 \
	VMOVSD      (SI)(AX*8), X1 \
	VFMADD231SD (DI)(AX*8), X1, X0

// dot2RowsAVX2's other steps for FINISH (ROW8 is above): a (R12) times b0
// (R13) into Y0–Y3 and times b1 (BX) into Y4–Y7, the sums into X0 and X4.
#define ROW4 \
	VMOVUPD     (R12)(AX*8), Y10 \
	VFMADD231PD (R13)(AX*8), Y10, Y2 \
	VFMADD231PD (BX)(AX*8), Y10, Y6

#define ROWSUM \
	REDUCE4(Y0, Y1, Y2, Y3, X0, X1) \
	REDUCE4(Y4, Y5, Y6, Y7, X4, X5)

#define ROW1 TAIL1(R12, R13, BX, X1, X0, X4)

// func dotAVX2(a, b []float64) float64
//
// 16 doubles per iteration in four YMM accumulators (an FMA has a latency
// of 4 cycles, so one accumulator would stall), then at most one step of 8
// and one of 4, then the horizontal sum, then single doubles.
TEXT ·dotAVX2(SB), NOSPLIT, $0-56
	MOVQ   a_base+0(FP), SI
	MOVQ   a_len+8(FP), CX
	MOVQ   b_base+24(FP), DI
	ZERO4(Y0, Y1, Y2, Y3)
	START16(quad)

loop16:
	LOAD4(SI, Y4, Y5, Y6, Y7)
	VFMADD231PD (DI)(AX*8), Y4, Y0
	VFMADD231PD 32(DI)(AX*8), Y5, Y1
	VFMADD231PD 64(DI)(AX*8), Y6, Y2
	VFMADD231PD 96(DI)(AX*8), Y7, Y3
	NEXT16(loop16)

quad:
	FINISH(DOT8, DOT4, DOTSUM, DOT1, four, reduce, loop1, done)
	VZEROUPPER
	MOVSD X0, ret+48(FP)
	RET

// func dot2RowsAVX2(j *rowsJob)
//
// j.n pairs of dot products of length j.k: for r < n, with ao = offs[2r] and
// bo = offs[2r+1], out[2r] = Σ a[ao+i]·b0[bo+i] and out[2r+1] =
// Σ a[ao+i]·b1[bo+i]. Each 4-double load of a feeds two FMAs, one per
// result (three loads per two FMAs instead of four). 16 doubles per
// iteration, four accumulators per result, then the same tail as dotAVX2.
// Dot2 is the case n = 1; the resampler passes a block of output frames
// (its rows and history windows) in one call.
TEXT ·dot2RowsAVX2(SB), NOSPLIT, $0-8
	MOVQ j+0(FP), SI // the job; DX is the loop bound below
	MOVQ 40(SI), R10 // n
	CMPQ R10, $0
	JLE  rowsdone
	MOVQ 24(SI), CX  // k
	MOVQ 32(SI), R9  // offs
	MOVQ 48(SI), R11 // out

row:
	ROWPTRS(R9, R12, R13, BX)
	ZERO4(Y0, Y1, Y2, Y3)
	ZERO4(Y4, Y5, Y6, Y7)
	START16(quad2)

loop16x2:
	ROW16
	NEXT16(loop16x2)

quad2:
	FINISH(ROW8, ROW4, ROWSUM, ROW1, four2, reduce2, loop1x2, store2)
	VMOVSD X0, 0(R11)
	VMOVSD X4, 8(R11)
	ADDQ   $16, R9
	ADDQ   $16, R11
	DECQ   R10
	JNZ    row

rowsdone:
	VZEROUPPER
	RET

// func dot4LanesAVX(a *float64, b *[4]*float64, n int, acc *[16]float64)
//
// DotPortable's four partial sums for four vectors at once: lane k of
// accumulator j is Σ a[i]·b[j][i] over i ≡ k (mod 4), i < n (n a multiple of
// 4), each product rounded and then added (VMULPD, VADDPD; no fused
// multiply-add), in the order of DotPortable's loop, so the sums are the
// same bits. The four accumulators are independent chains, which hides the
// adds' latency that a single DotPortable is bound by. acc holds the
// starting sums and receives the results.
TEXT ·dot4LanesAVX(SB), NOSPLIT, $0-32
	MOVQ    b+8(FP), DX
	MOVQ    0(DX), R8
	MOVQ    8(DX), R9
	MOVQ    16(DX), R10
	MOVQ    24(DX), R11
	MOVQ    a+0(FP), SI
	MOVQ    n+16(FP), CX
	MOVQ    acc+24(FP), BX
	GETACC4(0, BX, Y0, Y1, Y2, Y3)
	XORQ    AX, AX
	CMPQ    CX, $0
	JLE     lanesdone

lanesloop:
	VMOVUPD (SI)(AX*8), Y4
	VMULPD  (R8)(AX*8), Y4, Y5
	VADDPD  Y5, Y0, Y0
	VMULPD  (R9)(AX*8), Y4, Y6
	VADDPD  Y6, Y1, Y1
	VMULPD  (R10)(AX*8), Y4, Y7
	VADDPD  Y7, Y2, Y2
	VMULPD  (R11)(AX*8), Y4, Y8
	VADDPD  Y8, Y3, Y3
	ADDQ    $4, AX
	CMPQ    AX, CX
	JLT     lanesloop

lanesdone:
	PUTACC4(Y0, Y1, Y2, Y3, 0, BX)
	VZEROUPPER
	RET

// ZREDUCE(lo, hi, ylo, yhi, t0, t1, xlo, xt) adds two 512-bit accumulators
// in dot2RowsAVX2's order ((Y0 + Y1) + (Y2 + Y3), then the lanes) into
// the low double of xlo.
#define ZREDUCE(lo, hi, ylo, yhi, t0, t1, xlo, xt) \
	VEXTRACTF64X4 $1, lo, t0 \
	VEXTRACTF64X4 $1, hi, t1 \
	VADDPD        t0, ylo, ylo \
	VADDPD        t1, yhi, yhi \
	VADDPD        yhi, ylo, ylo \
	VEXTRACTF128  $1, ylo, xt \
	VADDPD        xt, xlo, xlo \
	VUNPCKHPD     xlo, xlo, xt \
	VADDSD        xt, xlo, xlo

// SHARED16(D) is a step of 16 of z2loop16 for a pair of frames whose
// windows start D elements apart (the next frame of a resampler that
// reads about one new sample per output, or two when downsampling): each
// window is loaded once, for the first frame, and the second frame's
// vectors are the first's moved by D elements (VALIGNQ), which cuts the
// loads by a third where the loads bound the loop. The products and sums
// are z2loop16's, so the bits are the same. Z12 and Z13 carry the first
// 8 of each window (b0, b1) from the step before; the step reads 8
// elements past its 16 (AX + 24 ≤ k, within the first frame's window).
#define SHARED16(D) \
	VMOVUPD     64(R13)(AX*8), Z14; \
	VMOVUPD     128(R13)(AX*8), Z15; \
	VMOVUPD     64(BX)(AX*8), Z16; \
	VMOVUPD     128(BX)(AX*8), Z17; \
	VMOVUPD     (R12)(AX*8), Z8; \
	VMOVUPD     64(R12)(AX*8), Z9; \
	VMOVUPD     (DI)(AX*8), Z10; \
	VMOVUPD     64(DI)(AX*8), Z11; \
	VFMADD231PD Z12, Z8, Z0; \
	VFMADD231PD Z13, Z8, Z2; \
	VFMADD231PD Z14, Z9, Z1; \
	VFMADD231PD Z16, Z9, Z3; \
	VALIGNQ     $D, Z12, Z14, Z12; \
	VALIGNQ     $D, Z13, Z16, Z13; \
	VFMADD231PD Z12, Z10, Z4; \
	VFMADD231PD Z13, Z10, Z6; \
	VALIGNQ     $D, Z14, Z15, Z14; \
	VALIGNQ     $D, Z16, Z17, Z16; \
	VFMADD231PD Z14, Z11, Z5; \
	VFMADD231PD Z16, Z11, Z7; \
	VMOVAPD     Z15, Z12; \
	VMOVAPD     Z17, Z13; \
	ADDQ        $16, AX; \
	LEAQ        24(AX), R15; \
	CMPQ        R15, CX

// dot2Rows2AVX512's steps for FINISH, for its two frames (a in R12 and DI;
// b0, b1 in R13, BX and R8, R14): the step of 8 into the low accumulators
// (dot2RowsAVX2's Y0 and Y1), the step of 4 into the high ones' low half
// (mask K1: its Y2), the sums into X0, X2, X4, X6.
#define PAIR8 \
	VMOVUPD     (R12)(AX*8), Z8 \
	VMOVUPD     (DI)(AX*8), Z10 \
	VFMADD231PD (R13)(AX*8), Z8, Z0 \
	VFMADD231PD (BX)(AX*8), Z8, Z2 \
	VFMADD231PD (R8)(AX*8), Z10, Z4 \
	VFMADD231PD (R14)(AX*8), Z10, Z6

#define PAIR4 \
	VMOVUPD     (R12)(AX*8), K1, Z8 \
	VMOVUPD     (DI)(AX*8), K1, Z10 \
	VFMADD231PD (R13)(AX*8), Z8, K1, Z1 \
	VFMADD231PD (BX)(AX*8), Z8, K1, Z3 \
	VFMADD231PD (R8)(AX*8), Z10, K1, Z5 \
	VFMADD231PD (R14)(AX*8), Z10, K1, Z7

#define PAIRSUM \
	ZREDUCE(Z0, Z1, Y0, Y1, Y8, Y9, X0, X8) \
	ZREDUCE(Z2, Z3, Y2, Y3, Y10, Y11, X2, X10) \
	ZREDUCE(Z4, Z5, Y4, Y5, Y8, Y9, X4, X8) \
	ZREDUCE(Z6, Z7, Y6, Y7, Y10, Y11, X6, X10)

#define PAIR1 \
	TAIL1(R12, R13, BX, X8, X0, X2) \
	TAIL1(DI, R8, R14, X9, X4, X6)

// func dot2Rows2AVX512(j *rowsJob)
//
// dot2RowsAVX2 with 512-bit registers, two frames at a time, the same sums
// bit for bit. For each result, Z accumulator lo holds dot2RowsAVX2's Y0
// and Y1 side by side (elements 0–7 of each 16), hi holds Y2 and Y3
// (8–15); the step of 8 goes into lo as it went into Y0 and Y1, the step
// of 4 into hi's low half (mask K1) as it went into Y2, and ZREDUCE adds
// in dot2RowsAVX2's order. Two frames' eight independent chains keep both
// FMA pipes busy. n must be even; k at least 4.
TEXT ·dot2Rows2AVX512(SB), NOSPLIT, $0-8
	MOVQ  j+0(FP), SI // the job; DX is the loop bound below
	MOVQ  40(SI), R10 // n
	SHRQ  $1, R10
	JZ    z2done
	MOVQ  24(SI), CX  // k
	MOVQ  32(SI), R9  // offs
	MOVQ  48(SI), R11 // out
	MOVQ  $0x0f, AX
	KMOVW AX, K1

z2row:
	ROWPTRS(R9, R12, R13, BX)
	LEAQ 16(R9), DX
	ROWPTRS(DX, DI, R8, R14)
	// A VEX write to a Y register clears its Z register's upper half.
	ZERO4(Y0, Y1, Y2, Y3)
	ZERO4(Y4, Y5, Y6, Y7)
	START16(z2quad)
	// Windows D = 1, 2 or 3 elements apart share their loads (SHARED16)
	// while a step's 8 elements beyond stay in the first window.
	CMPQ CX, $24
	JLT  z2loop16
	MOVQ R8, R15
	SUBQ R13, R15
	VMOVUPD (R13), Z12
	VMOVUPD (BX), Z13
	CMPQ R15, $8
	JEQ  z2d1
	CMPQ R15, $16
	JEQ  z2d2
	CMPQ R15, $24
	JEQ  z2d3
	JMP  z2loop16

z2d1:
	SHARED16(1)
	JLE z2d1
	JMP z2rest

z2d2:
	SHARED16(2)
	JLE z2d2
	JMP z2rest

z2d3:
	SHARED16(3)
	JLE z2d3

z2rest:
	CMPQ AX, DX
	JGE  z2quad

z2loop16:
	STEP2(R12, 0, 64, R13, BX, Z8, Z9, Z0, Z2, Z1, Z3)
	STEP2(DI, 0, 64, R8, R14, Z10, Z11, Z4, Z6, Z5, Z7)
	NEXT16(z2loop16)

z2quad:
	FINISH(PAIR8, PAIR4, PAIRSUM, PAIR1, z2four, z2reduce, z2loop1, z2store)
	VMOVSD X0, 0(R11)
	VMOVSD X2, 8(R11)
	VMOVSD X4, 16(R11)
	VMOVSD X6, 24(R11)
	ADDQ   $32, R9
	ADDQ   $32, R11
	DECQ   R10
	JNZ    z2row

z2done:
	VZEROUPPER
	RET

// func dot2LanesAVX(a, b0, b1 *float64, n int, acc *[32]float64)
//
// Continues dot2RowsAVX2's whole steps of 16 for one row over n more
// elements (n a multiple of 16): acc[0:16] holds the accumulators Y0–Y3
// of the sum with b0, acc[16:32] Y4–Y7 of the sum with b1. Dot2Shifts
// runs a long row in blocks this way, every row against one block of the
// windows before the next, and finishes each row as dot2RowsAVX2 does.
TEXT ·dot2LanesAVX(SB), NOSPLIT, $0-40
	MOVQ    a+0(FP), R12
	MOVQ    b0+8(FP), R13
	MOVQ    b1+16(FP), BX
	MOVQ    n+24(FP), DX
	MOVQ    acc+32(FP), DI
	GETACC4(0, DI, Y0, Y1, Y2, Y3)
	GETACC4(128, DI, Y4, Y5, Y6, Y7)
	XORQ    AX, AX
	CMPQ    DX, $0
	JLE     lanes2store

lanes2loop:
	ROW16
	NEXT16(lanes2loop)

lanes2store:
	PUTACC4(Y0, Y1, Y2, Y3, 0, DI)
	PUTACC4(Y4, Y5, Y6, Y7, 128, DI)
	VZEROUPPER
	RET
