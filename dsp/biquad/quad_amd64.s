//go:build amd64 && !purego

#include "textflag.h"

// func quadAVX(x0, x1 []float64, k *quadCoefficients, st *[16]float64, carry *[16]float64)
//
// The quad kernel's steady state (see quad.go): the steps for frames
// t = 6 … len(x0)−1, reading x[t] and writing D's output of frame t−6 to
// x[t−6]. Registers [A₀ A₁ B₀ B₁] and [C₀ C₁ D₀ D₁]; st holds s1 then s2
// of each; carry their outputs of the even steps, then of the odd ones
// (in and out). No fused multiply-add: per lane the arithmetic of run.
// QSECTION runs a register's two sections on IN, coefficients at K(AX)
// (b0 k1 k2 a1 a2, 32 bytes apart), state S1 and S2, output in OUT:
// y = b0·u + s1; s1 = (k1·u + s2) − a1·s1; s2 = k2·u − a2·s1.
#define QSECTION(IN, OUT, K, S1, S2) \
	VMULPD  K+0(AX), IN, OUT   \
	VADDPD  S1, OUT, OUT       \
	VMULPD  K+32(AX), IN, Y12  \
	VADDPD  S2, Y12, Y12       \
	VMULPD  K+96(AX), S1, Y13  \
	VSUBPD  Y13, Y12, Y12      \
	VMULPD  K+64(AX), IN, Y14  \
	VMULPD  K+128(AX), S1, Y15 \
	VSUBPD  Y15, Y14, S2       \
	VMOVAPD Y12, S1

// QSTEP is the step for frame t = DX with the outputs of the step for
// frame t−2 in O0 ([A B], also named XO0) and O1 ([C D]), which it
// replaces by its own.
#define QSTEP(O0, XO0, O1) \
	VMOVSD       (SI)(DX*8), X0     \
	VMOVHPD      (DI)(DX*8), X0, X0 \
	VPERM2F128   $0x21, O1, O0, Y1  \
	VINSERTF128  $1, XO0, Y0, Y0    \
	QSECTION(Y0, O0, 0, Y2, Y3)     \
	QSECTION(Y1, O1, 160, Y4, Y5)   \
	VEXTRACTF128 $1, O1, X6         \
	VMOVSD       X6, -48(SI)(DX*8)  \
	VMOVHPD      X6, -48(DI)(DX*8)

TEXT ·quadAVX(SB), NOSPLIT, $0-72
	MOVQ    x0_base+0(FP), SI
	MOVQ    x0_len+8(FP), CX
	MOVQ    x1_base+24(FP), DI
	MOVQ    k+48(FP), AX
	MOVQ    st+56(FP), BX
	MOVQ    carry+64(FP), R8
	VMOVUPD 0(BX), Y2   // [A B] s1
	VMOVUPD 32(BX), Y3  // [A B] s2
	VMOVUPD 64(BX), Y4  // [C D] s1
	VMOVUPD 96(BX), Y5  // [C D] s2
	VMOVUPD 0(R8), Y8   // outputs for the even steps: [A B]
	VMOVUPD 32(R8), Y9  // [C D]
	VMOVUPD 64(R8), Y10 // for the odd steps
	VMOVUPD 96(R8), Y11
	MOVQ    $6, DX
	CMPQ    DX, CX
	JGE     done

loop:
	QSTEP(Y8, X8, Y9)
	INCQ DX
	CMPQ DX, CX
	JGE  done
	QSTEP(Y10, X10, Y11)
	INCQ DX
	CMPQ DX, CX
	JL   loop

done:
	VMOVUPD Y2, 0(BX)
	VMOVUPD Y3, 32(BX)
	VMOVUPD Y4, 64(BX)
	VMOVUPD Y5, 96(BX)
	VMOVUPD Y8, 0(R8)
	VMOVUPD Y9, 32(R8)
	VMOVUPD Y10, 64(R8)
	VMOVUPD Y11, 96(R8)
	VZEROUPPER
	RET
