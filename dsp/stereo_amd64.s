//go:build amd64 && !purego

#include "textflag.h"

// The mid/side and width kernels, four frames per step in 4-lane float64
// registers. Per lane the operations and their order are those of the Go
// loops in stereo.go (no fused multiply-add; halving is a multiply by 0.5,
// exact as the division by 2; the sign s = ±1 multiplies exactly), so the
// outputs are bit-identical to them. len(x) is a multiple of 4.

// func msEncodeAVX(l, r, x []float32, resid, rest []float64, s float64)
TEXT ·msEncodeAVX(SB), NOSPLIT, $0-128
	MOVQ         l_base+0(FP), SI
	MOVQ         r_base+24(FP), DI
	MOVQ         x_base+48(FP), R8
	MOVQ         x_len+56(FP), CX
	MOVQ         resid_base+72(FP), R9
	MOVQ         rest_base+96(FP), R10
	VBROADCASTSD s+120(FP), Y15
	VBROADCASTSD half<>(SB), Y14
	XORQ         DX, DX
	TESTQ        CX, CX
	JZ           encDone

encLoop:
	VCVTPS2PD  (SI)(DX*4), Y0 // a
	VCVTPS2PD  (DI)(DX*4), Y1 // b
	VMULPD     Y15, Y1, Y1    // s·b
	VADDPD     Y1, Y0, Y2     // a + s·b
	VSUBPD     Y1, Y0, Y3     // a − s·b
	VMULPD     Y14, Y2, Y2    // p
	VMULPD     Y14, Y3, Y3    // q
	VCVTPD2PSY Y2, X4         // float32(p)
	VMOVUPS    X4, (R8)(DX*4)
	VCVTPS2PD  X4, Y5
	VSUBPD     Y5, Y2, Y5     // p − float32(p)
	VMOVUPD    Y5, (R9)(DX*8)
	VMOVUPD    Y3, (R10)(DX*8)
	ADDQ       $4, DX
	CMPQ       DX, CX
	JL         encLoop

encDone:
	VZEROUPPER
	RET

// func msDecodeAVX(l, r, x []float32, resid, rest []float64, s float64)
TEXT ·msDecodeAVX(SB), NOSPLIT, $0-128
	MOVQ         l_base+0(FP), SI
	MOVQ         r_base+24(FP), DI
	MOVQ         x_base+48(FP), R8
	MOVQ         x_len+56(FP), CX
	MOVQ         resid_base+72(FP), R9
	MOVQ         rest_base+96(FP), R10
	VBROADCASTSD s+120(FP), Y15
	XORQ         DX, DX
	TESTQ        CX, CX
	JZ           decDone

decLoop:
	VCVTPS2PD  (R8)(DX*4), Y0
	VADDPD     (R9)(DX*8), Y0, Y0 // p = x + resid
	VMOVUPD    (R10)(DX*8), Y1    // rest
	VADDPD     Y1, Y0, Y2         // p + rest
	VMULPD     Y15, Y0, Y3        // s·p
	VMULPD     Y15, Y1, Y4        // s·rest
	VSUBPD     Y4, Y3, Y3         // s·p − s·rest
	VCVTPD2PSY Y2, X2
	VCVTPD2PSY Y3, X3
	VMOVUPS    X2, (SI)(DX*4)
	VMOVUPS    X3, (DI)(DX*4)
	ADDQ       $4, DX
	CMPQ       DX, CX
	JL         decLoop

decDone:
	VZEROUPPER
	RET

// func widthAVX(l, r []float32, h float64)
TEXT ·widthAVX(SB), NOSPLIT, $0-56
	MOVQ         l_base+0(FP), SI
	MOVQ         l_len+8(FP), CX
	MOVQ         r_base+24(FP), DI
	VBROADCASTSD h+48(FP), Y15
	VBROADCASTSD half<>(SB), Y14
	XORQ         DX, DX
	TESTQ        CX, CX
	JZ           widthDone

widthLoop:
	VCVTPS2PD  (SI)(DX*4), Y0
	VCVTPS2PD  (DI)(DX*4), Y1
	VADDPD     Y1, Y0, Y2 // a + b
	VSUBPD     Y1, Y0, Y3 // a − b
	VMULPD     Y14, Y2, Y2 // m
	VMULPD     Y15, Y3, Y3 // d
	VADDPD     Y3, Y2, Y4 // m + d
	VSUBPD     Y3, Y2, Y5 // m − d
	VCVTPD2PSY Y4, X4
	VCVTPD2PSY Y5, X5
	VMOVUPS    X4, (SI)(DX*4)
	VMOVUPS    X5, (DI)(DX*4)
	ADDQ       $4, DX
	CMPQ       DX, CX
	JL         widthLoop

widthDone:
	VZEROUPPER
	RET

DATA half<>+0(SB)/8, $0.5
GLOBL half<>(SB), RODATA|NOPTR, $8
