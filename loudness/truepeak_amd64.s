//go:build amd64 && !purego

#include "textflag.h"

// absMask clears a double's sign bit (|x|), in both lanes of an X register
// or broadcast: the package's one copy, for the true-peak kernels here and
// kweightPeak2AVX's peak estimate.
DATA  ·absMask+0(SB)/8, $0x7fffffffffffffff
DATA  ·absMask+8(SB)/8, $0x7fffffffffffffff
GLOBL ·absMask(SB), RODATA|NOPTR, $16

// The block kernels' loop: BLOCKS(loop, done) puts the |x| mask in Y15,
// leaves for done when there are no blocks (CX) and opens the block loop;
// ABSMAX(y) takes |y| into the block's running maximum Y4, as v if v > m
// (VMAXPD with the maximum as its second operand keeps it when v is NaN or
// equal); NEXTBLOCK(loop) stores the largest of Y4's four lanes (never
// NaN) at BX, X5 scratch, and goes on to the next block.
#define BLOCKS(loop, done) \
	VBROADCASTSD ·absMask(SB), Y15 \
	TESTQ        CX, CX \
	JZ           done \
loop:

#define ABSMAX(y) \
	VANDPD Y15, y, y \
	VMAXPD Y4, y, Y4

#define NEXTBLOCK(loop) \
	VEXTRACTF128 $1, Y4, X5 \
	VMAXPD       X5, X4, X4 \
	VPERMILPD    $1, X4, X5 \
	VMAXPD       X5, X4, X4 \
	VMOVSD       X4, (BX) \
	ADDQ         $8, BX \
	DECQ         CX \
	JNZ          loop

// func tpLoadAVX2(x []float32, ws []float64, bmax []float64)
//
// For each run of 16 frames of x (len(x) is 16·len(bmax)): converts them
// to float64 into ws and writes the largest |value| of the run, at least
// 0, into bmax. The maximum is taken as truePeak.process takes it, v if
// v > m (ABSMAX), and a maximum that is never NaN comes out the same in
// any order.
TEXT ·tpLoadAVX2(SB), NOSPLIT, $0-72
	MOVQ         x_base+0(FP), SI
	MOVQ         ws_base+24(FP), DI
	MOVQ         bmax_base+48(FP), BX
	MOVQ         bmax_len+56(FP), CX
	BLOCKS(loop, done)
	VCVTPS2PD    0(SI), Y0
	VCVTPS2PD    16(SI), Y1
	VCVTPS2PD    32(SI), Y2
	VCVTPS2PD    48(SI), Y3
	VMOVUPD      Y0, 0(DI)
	VMOVUPD      Y1, 32(DI)
	VMOVUPD      Y2, 64(DI)
	VMOVUPD      Y3, 96(DI)
	VXORPD       Y4, Y4, Y4
	ABSMAX(Y0)
	ABSMAX(Y1)
	ABSMAX(Y2)
	ABSMAX(Y3)
	ADDQ         $64, SI
	ADDQ         $128, DI
	NEXTBLOCK(loop)

done:
	VZEROUPPER
	RET

// D2 takes |a − 2b + c| of four frames at offset OFF (in frames) of SI
// into the running maximum Y4, as secondDifferenceMax does (2b as b + b,
// the same value).
#define D2(OFF) \
	VMOVUPD (OFF*8)(SI), Y0      \
	VMOVUPD (OFF*8+8)(SI), Y1    \
	VADDPD  Y1, Y1, Y1           \
	VSUBPD  Y1, Y0, Y0           \
	VADDPD  (OFF*8+16)(SI), Y0, Y0 \
	ABSMAX(Y0)

// func d2BlocksAVX2(w *float64, dmax []float64)
//
// The second differences' maxima of consecutive blocks: dmax[i] is the
// largest |w[k−1] − 2w[k] + w[k+1]| over k = 1 … tpRun of the tpRun + 2
// values from w + tpRun·i (block i's frames and their two neighbours), at
// least 0, NaN ignored as in tpLoadAVX2.
TEXT ·d2BlocksAVX2(SB), NOSPLIT, $0-32
	MOVQ         w+0(FP), SI
	MOVQ         dmax_base+8(FP), BX
	MOVQ         dmax_len+16(FP), CX
	BLOCKS(d2bloop, d2bdone)
	VXORPD       Y4, Y4, Y4
	D2(0)
	D2(4)
	D2(8)
	D2(12)
	ADDQ         $128, SI
	NEXTBLOCK(d2bloop)

d2bdone:
	VZEROUPPER
	RET
