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
