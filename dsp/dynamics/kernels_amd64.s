//go:build amd64 && !purego

#include "textflag.h"

// Each kernel does the Go code's operations in its order, four lanes at a
// time, so the bits are the same: VMAXPD agrees with the Go code's bitwise
// maximum on the non-negative values it sees.

// func peakAVX(lv []float64, x, y []float32, floor float64)
TEXT ·peakAVX(SB), NOSPLIT, $0-80
	MOVQ lv_base+0(FP), DI
	MOVQ lv_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ y_base+48(FP), DX
	VBROADCASTSD floor+72(FP), Y8
	VPCMPEQQ Y9, Y9, Y9
	VPSRLQ   $1, Y9, Y9      // |·| mask

peakloop:
	CMPQ CX, $4
	JLT  peakdone
	VCVTPS2PD (SI), Y0
	VCVTPS2PD (DX), Y1
	VANDPD  Y9, Y0, Y0
	VANDPD  Y9, Y1, Y1
	VMAXPD  Y1, Y0, Y0
	VMAXPD  Y8, Y0, Y0
	VMOVUPD Y0, (DI)
	ADDQ    $16, SI
	ADDQ    $16, DX
	ADDQ    $32, DI
	SUBQ    $4, CX
	JMP     peakloop

peakdone:
	VZEROUPPER
	RET

// func applyAVX(x []float32, gains []float64)
TEXT ·applyAVX(SB), NOSPLIT, $0-48
	MOVQ x_base+0(FP), DI
	MOVQ x_len+8(FP), CX
	MOVQ gains_base+24(FP), SI

applyloop:
	CMPQ CX, $8
	JLT  apply4
	VCVTPS2PD (DI), Y0
	VCVTPS2PD 16(DI), Y1
	VMULPD  (SI), Y0, Y0
	VMULPD  32(SI), Y1, Y1
	VCVTPD2PSY Y0, X0
	VCVTPD2PSY Y1, X1
	VMOVUPS X0, (DI)
	VMOVUPS X1, 16(DI)
	ADDQ    $32, DI
	ADDQ    $64, SI
	SUBQ    $8, CX
	JMP     applyloop

apply4:
	CMPQ CX, $4
	JLT  applydone
	VCVTPS2PD (DI), Y0
	VMULPD  (SI), Y0, Y0
	VCVTPD2PSY Y0, X0
	VMOVUPS X0, (DI)

applydone:
	VZEROUPPER
	RET
