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

// LEFT8 sets DX to the elements left (CX − AX) and jumps to less when
// there are fewer than 8.
#define LEFT8(less) \
	MOVQ CX, DX \
	SUBQ AX, DX \
	CMPQ DX, $8 \
	JLT  less

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
	XORQ   AX, AX
	MOVQ   CX, DX
	ANDQ   $-16, DX
	JZ     quad

loop16:
	LOAD4(SI, Y4, Y5, Y6, Y7)
	VFMADD231PD (DI)(AX*8), Y4, Y0
	VFMADD231PD 32(DI)(AX*8), Y5, Y1
	VFMADD231PD 64(DI)(AX*8), Y6, Y2
	VFMADD231PD 96(DI)(AX*8), Y7, Y3
	ADDQ        $16, AX
	CMPQ        AX, DX
	JLT         loop16

quad:
	// At most 15 left: 8 into the first two accumulators, then 4 into the
	// third, so the tail adds no dependent chain of FMAs.
	LEFT8(four)
	VMOVUPD     (SI)(AX*8), Y4
	VMOVUPD     32(SI)(AX*8), Y5
	VFMADD231PD (DI)(AX*8), Y4, Y0
	VFMADD231PD 32(DI)(AX*8), Y5, Y1
	ADDQ        $8, AX
	SUBQ        $8, DX

four:
	CMPQ DX, $4
	JLT  reduce
	VMOVUPD     (SI)(AX*8), Y6
	VFMADD231PD (DI)(AX*8), Y6, Y2
	ADDQ        $4, AX

reduce:
	REDUCE4(Y0, Y1, Y2, Y3, X0, X1)

	CMPQ AX, CX
	JGE  done

loop1:
	VMOVSD      (SI)(AX*8), X1
	VFMADD231SD (DI)(AX*8), X1, X0
	INCQ        AX
	CMPQ        AX, CX
	JLT         loop1

done:
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
	// R12 = a + ao, R13 = b0 + bo, BX = b1 + bo.
	MOVQ 0(R9), AX
	SHLQ $3, AX
	MOVQ 0(SI), R12
	ADDQ AX, R12
	MOVQ 8(R9), AX
	SHLQ $3, AX
	MOVQ 8(SI), R13
	ADDQ AX, R13
	MOVQ 16(SI), BX
	ADDQ AX, BX
	ZERO4(Y0, Y1, Y2, Y3)
	ZERO4(Y4, Y5, Y6, Y7)
	XORQ   AX, AX
	MOVQ   CX, DX
	ANDQ   $-16, DX
	JZ     quad2

loop16x2:
	LOAD4(R12, Y8, Y9, Y10, Y11)
	VFMADD231PD (R13)(AX*8), Y8, Y0
	VFMADD231PD (BX)(AX*8), Y8, Y4
	VFMADD231PD 32(R13)(AX*8), Y9, Y1
	VFMADD231PD 32(BX)(AX*8), Y9, Y5
	VFMADD231PD 64(R13)(AX*8), Y10, Y2
	VFMADD231PD 64(BX)(AX*8), Y10, Y6
	VFMADD231PD 96(R13)(AX*8), Y11, Y3
	VFMADD231PD 96(BX)(AX*8), Y11, Y7
	ADDQ        $16, AX
	CMPQ        AX, DX
	JLT         loop16x2

quad2:
	// At most 15 left, as in dotAVX2.
	LEFT8(four2)
	VMOVUPD     (R12)(AX*8), Y8
	VMOVUPD     32(R12)(AX*8), Y9
	VFMADD231PD (R13)(AX*8), Y8, Y0
	VFMADD231PD (BX)(AX*8), Y8, Y4
	VFMADD231PD 32(R13)(AX*8), Y9, Y1
	VFMADD231PD 32(BX)(AX*8), Y9, Y5
	ADDQ        $8, AX
	SUBQ        $8, DX

four2:
	CMPQ DX, $4
	JLT  reduce2
	VMOVUPD     (R12)(AX*8), Y10
	VFMADD231PD (R13)(AX*8), Y10, Y2
	VFMADD231PD (BX)(AX*8), Y10, Y6
	ADDQ        $4, AX

reduce2:
	REDUCE4(Y0, Y1, Y2, Y3, X0, X1)
	REDUCE4(Y4, Y5, Y6, Y7, X4, X5)

	CMPQ AX, CX
	JGE  store2

loop1x2:
	VMOVSD      (R12)(AX*8), X1
	VFMADD231SD (R13)(AX*8), X1, X0
	VFMADD231SD (BX)(AX*8), X1, X4
	INCQ        AX
	CMPQ        AX, CX
	JLT         loop1x2

store2:
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
	VMOVUPD 0(BX), Y0
	VMOVUPD 32(BX), Y1
	VMOVUPD 64(BX), Y2
	VMOVUPD 96(BX), Y3
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
	VMOVUPD Y0, 0(BX)
	VMOVUPD Y1, 32(BX)
	VMOVUPD Y2, 64(BX)
	VMOVUPD Y3, 96(BX)
	VZEROUPPER
	RET
