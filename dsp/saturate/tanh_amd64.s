//go:build amd64 && !purego

#include "textflag.h"

// func tanhAVX2(v []float64, k *tanhConsts, tab *[256][2]uint64)
//
// v[i] = tanh(v[i] + bias) − off for len(v) a multiple of 4, four lanes a
// step, each lane with the operations of the Go tanh (the clamp, then
// package envelope's Exp2 inlined, then 1 − 2/(e + 1)) in their order, no
// fused multiply-add, so the result is bit-identical. The clamp is
// min(20, x) then max(−20, x) with x the second operand, which returns x
// when x is NaN, as the comparisons do. The table entry's index and the
// exponent come from k's low bits: j = k & 255 gathered, and
// (k >> 8) << 52 = (k &^ 255) << 44 in two's complement.
// k's rows, 32 bytes each: 20, −20, log2 e, 256, 1.5·2⁵², ln 2/256, 1, ½,
// 2, bias, off, 255 (integer), the bits of 1.5·2⁵² (integer).
TEXT ·tanhAVX2(SB), NOSPLIT, $0-40
	MOVQ    v_base+0(FP), SI
	MOVQ    v_len+8(FP), CX
	MOVQ    k+24(FP), AX
	MOVQ    tab+32(FP), BX
	SHRQ    $2, CX
	JZ      done
	VMOVUPD 0(AX), Y15   // 20
	VMOVUPD 32(AX), Y14  // −20
	VMOVUPD 352(AX), Y13 // 255
	VMOVUPD 256(AX), Y12 // 2
	VMOVUPD 192(AX), Y11 // 1

loop:
	VMOVUPD    (SI), Y0
	VADDPD     288(AX), Y0, Y0 // x + bias
	VMINPD     Y0, Y15, Y0
	VMAXPD     Y0, Y14, Y0
	VADDPD     Y0, Y0, Y1      // 2x
	VMULPD     64(AX), Y1, Y1  // ·log2 e
	VMULPD     96(AX), Y1, Y1  // y = ·256
	VADDPD     128(AX), Y1, Y2 // t = y + shifter
	VPSUBQ     384(AX), Y2, Y3 // k
	VSUBPD     128(AX), Y2, Y2 // t − shifter
	VSUBPD     Y2, Y1, Y2      // y − (t − shifter)
	VMULPD     160(AX), Y2, Y2 // f
	VMULPD     224(AX), Y2, Y4 // f·½
	VADDPD     Y11, Y4, Y4     // 1 + f·½
	VMULPD     Y4, Y2, Y4      // f·(1 + f·½)
	VADDPD     Y11, Y4, Y4     // p
	VPAND      Y13, Y3, Y1     // j
	VPSLLQ     $1, Y1, Y1      // the entry's first word, in words
	VPANDN     Y3, Y13, Y3     // k &^ 255
	VPSLLQ     $44, Y3, Y3
	VPCMPEQQ   Y2, Y2, Y2      // gather every lane
	VPGATHERQQ Y2, (BX)(Y1*8), Y0
	VPADDQ     Y3, Y0, Y0      // 2^(k/256)
	VMULPD     Y0, Y4, Y0      // e = p·2^(k/256)
	VADDPD     Y11, Y0, Y0     // e + 1
	VDIVPD     Y0, Y12, Y0     // 2/(e + 1)
	VSUBPD     Y0, Y11, Y0     // 1 − 2/(e + 1)
	VSUBPD     320(AX), Y0, Y0 // − off
	VMOVUPD    Y0, (SI)
	ADDQ       $32, SI
	DECQ       CX
	JNZ        loop

done:
	VZEROUPPER
	RET

// func tanhAVX512(v []float64, k *tanhConsts, tab *[256][2]uint64)
//
// tanhAVX2 eight lanes a step (len(v) a multiple of 8): the same
// operations on each lane in the same order, the constants broadcast from
// k's rows. The table entries are fetched by scalar loads (the lanes'
// offsets stored to the frame and read back), which measured faster than
// a 512-bit gather here.
TEXT ·tanhAVX512(SB), NOSPLIT, $64-40
	MOVQ    v_base+0(FP), SI
	MOVQ    v_len+8(FP), CX
	MOVQ    k+24(FP), AX
	MOVQ    tab+32(FP), BX
	SHRQ    $3, CX
	JZ      done512
	VBROADCASTSD 0(AX), Z15   // 20
	VBROADCASTSD 32(AX), Z14  // −20
	VPBROADCASTQ 352(AX), Z13 // 255
	VBROADCASTSD 256(AX), Z12 // 2
	VBROADCASTSD 192(AX), Z11 // 1
	VBROADCASTSD 288(AX), Z10 // bias
	VBROADCASTSD 64(AX), Z9   // log2 e
	VBROADCASTSD 96(AX), Z8   // 256
	VBROADCASTSD 128(AX), Z7  // shifter
	VPBROADCASTQ 384(AX), Z6  // the shifter's bits
	VBROADCASTSD 160(AX), Z5  // ln 2/256
	VBROADCASTSD 224(AX), Z16 // ½
	VBROADCASTSD 320(AX), Z17 // off

loop512:
	VMOVUPD    (SI), Z0
	VADDPD     Z10, Z0, Z0 // x + bias
	VMINPD     Z0, Z15, Z0
	VMAXPD     Z0, Z14, Z0
	VADDPD     Z0, Z0, Z1  // 2x
	VMULPD     Z9, Z1, Z1  // ·log2 e
	VMULPD     Z8, Z1, Z1  // y = ·256
	VADDPD     Z7, Z1, Z2  // t = y + shifter
	VPSUBQ     Z6, Z2, Z3  // k
	VSUBPD     Z7, Z2, Z2  // t − shifter
	VSUBPD     Z2, Z1, Z2  // y − (t − shifter)
	VMULPD     Z5, Z2, Z2  // f
	VMULPD     Z16, Z2, Z4 // f·½
	VADDPD     Z11, Z4, Z4 // 1 + f·½
	VMULPD     Z4, Z2, Z4  // f·(1 + f·½)
	VADDPD     Z11, Z4, Z4 // p
	VPANDQ     Z13, Z3, Z1 // j
	VPSLLQ     $1, Z1, Z1  // the entry's first word, in words
	VPANDNQ    Z3, Z13, Z3 // k &^ 255
	VPSLLQ     $44, Z3, Z3
	VMOVDQU64  Z1, idx-64(SP) // the lanes' table offsets, read back one by one
	MOVQ       idx-64(SP), R8
	MOVQ       idx-56(SP), R9
	MOVQ       idx-48(SP), R10
	MOVQ       idx-40(SP), R11
	VMOVQ      (BX)(R8*8), X20
	VPINSRQ    $1, (BX)(R9*8), X20, X20
	VMOVQ      (BX)(R10*8), X21
	VPINSRQ    $1, (BX)(R11*8), X21, X21
	MOVQ       idx-32(SP), R8
	MOVQ       idx-24(SP), R9
	MOVQ       idx-16(SP), R10
	MOVQ       idx-8(SP), R11
	VMOVQ      (BX)(R8*8), X22
	VPINSRQ    $1, (BX)(R9*8), X22, X22
	VMOVQ      (BX)(R10*8), X23
	VPINSRQ    $1, (BX)(R11*8), X23, X23
	VINSERTI64X2 $1, X21, Y20, Y20
	VINSERTI64X2 $1, X23, Y22, Y22
	VINSERTI64X4 $1, Y22, Z20, Z0
	VPADDQ     Z3, Z0, Z0  // 2^(k/256)
	VMULPD     Z0, Z4, Z0  // e = p·2^(k/256)
	VADDPD     Z11, Z0, Z0 // e + 1
	VDIVPD     Z0, Z12, Z0 // 2/(e + 1)
	VSUBPD     Z0, Z11, Z0 // 1 − 2/(e + 1)
	VSUBPD     Z17, Z0, Z0 // − off
	VMOVUPD    Z0, (SI)
	ADDQ       $64, SI
	DECQ       CX
	JNZ        loop512

done512:
	VZEROUPPER
	RET
