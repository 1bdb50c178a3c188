//go:build amd64 && !purego

#include "textflag.h"

// The kernels give the bits of the Go functions they replace: the same
// operations in the same order, VMULPD and VADDPD apart (no fused
// multiply-add), and the integer tricks on the bits done with the same
// integer operations lane by lane. ·kernelConsts holds the constants at
// the byte offsets named below.

#define K_MANT 0
#define K_ONEEXP 8
#define K_MAGIC 16
#define K_MAGICF 24
#define K_L1 32
#define K_L2 40
#define K_ONE 48
#define K_256 56
#define K_SHIFT 64
#define K_LN2 72
#define K_HALF 80
#define K_IDX 88
#define K_L2PERDB 96

// func log2AVX2(dst, src []float64)
//
// Log2 four lanes at a time (len(src) a multiple of 4): the exponent from
// the magic-number trick, the table index from the mantissa's top 8 bits,
// the two table values by gathers, then (e + centre) + r·(l1 − r·l2).
TEXT ·log2AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	LEAQ ·kernelConsts(SB), AX
	LEAQ ·logInv(SB), R8
	LEAQ ·logCentre(SB), R9
	VPBROADCASTQ K_MANT(AX), Y8
	VPBROADCASTQ K_ONEEXP(AX), Y9
	VPBROADCASTQ K_MAGIC(AX), Y10
	VBROADCASTSD K_MAGICF(AX), Y11
	VBROADCASTSD K_L1(AX), Y12
	VBROADCASTSD K_L2(AX), Y13
	VBROADCASTSD K_ONE(AX), Y14

log2loop:
	CMPQ CX, $4
	JLT  log2done
	VMOVUPD (SI), Y0
	VPSRLQ  $52, Y0, Y1
	VPOR    Y10, Y1, Y1
	VSUBPD  Y11, Y1, Y1      // e
	VPSLLQ  $12, Y0, Y2
	VPSRLQ  $56, Y2, Y2      // j
	VPAND   Y8, Y0, Y3
	VPOR    Y9, Y3, Y3       // m in [1, 2)
	VPCMPEQQ Y4, Y4, Y4
	VGATHERQPD Y4, (R8)(Y2*8), Y5  // 1/c_j
	VPCMPEQQ Y4, Y4, Y4
	VGATHERQPD Y4, (R9)(Y2*8), Y6  // log2(c_j)
	VMULPD  Y5, Y3, Y3
	VSUBPD  Y14, Y3, Y3      // r = m/c_j − 1
	VADDPD  Y6, Y1, Y1       // e + log2(c_j)
	VMULPD  Y13, Y3, Y7      // r·l2
	VSUBPD  Y7, Y12, Y7      // l1 − r·l2
	VMULPD  Y7, Y3, Y7
	VADDPD  Y7, Y1, Y0
	VMOVUPD Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $4, CX
	JMP     log2loop

log2done:
	VZEROUPPER
	RET

// func gainAVX2(gain, gr []float64, k *gainConsts)
//
// GainBlock four lanes at a time (len(gr) a multiple of 4): y = (makeup −
// gr)·Log2PerDB, then Exp2(y) as the Go code computes it, makeupLin
// blended in where gr is 0; the lanes' largest gr goes to k.peak.
TEXT ·gainAVX2(SB), NOSPLIT, $0-56
	MOVQ gain_base+0(FP), DI
	MOVQ gr_base+24(FP), SI
	MOVQ gr_len+32(FP), CX
	MOVQ k+48(FP), DX
	LEAQ ·kernelConsts(SB), AX
	LEAQ ·exp2Bits(SB), R8
	VBROADCASTSD 0(DX), Y8        // makeup
	VBROADCASTSD 8(DX), Y9        // makeupLin
	VBROADCASTSD K_L2PERDB(AX), Y10
	VBROADCASTSD K_256(AX), Y11
	VBROADCASTSD K_SHIFT(AX), Y12
	VBROADCASTSD K_LN2(AX), Y13
	VBROADCASTSD K_HALF(AX), Y14
	VBROADCASTSD K_ONE(AX), Y15
	VXORPD Y7, Y7, Y7             // peak

gainloop:
	CMPQ CX, $4
	JLT  gaindone
	VMOVUPD (SI), Y0              // gr
	VMAXPD  Y7, Y0, Y7
	VSUBPD  Y0, Y8, Y1
	VMULPD  Y10, Y1, Y1           // y = (makeup − gr)·Log2PerDB
	VMULPD  Y11, Y1, Y1           // y·256
	VADDPD  Y12, Y1, Y2           // t = y + shifter
	VPSUBQ  Y12, Y2, Y3           // k (as integers)
	VSUBPD  Y12, Y2, Y2           // t − shifter
	VSUBPD  Y2, Y1, Y1
	VMULPD  Y13, Y1, Y1           // f
	VMULPD  Y14, Y1, Y2           // f·½
	VADDPD  Y15, Y2, Y2
	VMULPD  Y2, Y1, Y2
	VADDPD  Y15, Y2, Y2           // p = 1 + f·(1 + f·½)
	VPBROADCASTQ K_IDX(AX), Y4
	VPAND   Y4, Y3, Y4            // k & 255
	VPCMPEQQ Y5, Y5, Y5
	VPXOR   Y6, Y6, Y6
	VPGATHERQQ Y5, (R8)(Y4*8), Y6 // bits of 2^(j/256)
	VPSRLQ  $8, Y3, Y3
	VPSLLQ  $52, Y3, Y3
	VPADDQ  Y3, Y6, Y6
	VMULPD  Y6, Y2, Y2            // Exp2(y)
	VXORPD  Y4, Y4, Y4
	VCMPPD  $0, Y4, Y0, Y4        // gr == 0
	VBLENDVPD Y4, Y9, Y2, Y2
	VMOVUPD Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $4, CX
	JMP     gainloop

gaindone:
	VEXTRACTF128 $1, Y7, X0
	VMAXPD  X0, X7, X7
	VPERMILPD $1, X7, X0
	VMAXPD  X0, X7, X7
	VMOVSD  X7, 16(DX)
	VZEROUPPER
	RET

// func smoothAVX(s *Smoother, gr float64, target, out []float64)
//
// Smoother.Step over the block: c = attack where gr < t else release
// (compare and blend, off the subtraction's path), gr += c·(t − gr).
TEXT ·smoothAVX(SB), NOSPLIT, $0-64
	MOVQ s+0(FP), DX
	VMOVSD gr+8(FP), X0
	MOVQ target_base+16(FP), SI
	MOVQ target_len+24(FP), CX
	MOVQ out_base+40(FP), DI
	VMOVSD 0(DX), X8              // attack coefficient
	VMOVSD 8(DX), X9              // release coefficient

smoothloop:
	VMOVSD  (SI), X1
	VCMPSD  $1, X1, X0, X3        // gr < t
	VSUBSD  X0, X1, X2            // t − gr
	VBLENDVPD X3, X8, X9, X4
	VMULSD  X2, X4, X2
	VADDSD  X2, X0, X0
	VMOVSD  X0, (DI)
	ADDQ    $8, SI
	ADDQ    $8, DI
	DECQ    CX
	JNZ     smoothloop
	RET
