//go:build amd64 && !purego

#include "textflag.h"

// ControlRate's fields (offsets checked by TestControlRateLayout).
#define CR_DECAY 16
#define CR_ENV 24
#define CR_PEAK 32
#define CR_POS 40
#define CR_FROM 48
#define CR_STEP 56

// func controlAVX(x0, x1, g []float64, c *ControlRate)
//
// Per frame, with the arithmetic of process2's loop: env ·= decay; env =
// |x0| > env ? |x0| : env, the same for |x1|; peak = env > peak ? env :
// peak; pos++; g = from + step·pos. The envelope is the largest of env·decay,
// |x0| and |x1| that is not a NaN: VMAXSD with +0 turns a NaN into +0
// (which env·decay ≥ +0 outweighs; VMAXSD returns its second source on a
// NaN), and the larger of the two channels is taken before the product,
// so the envelope's recursion is one product and one VMAXSD long. Over
// non-negative numbers the maximum is the same bits in any order. The
// caller stops at the run's end, where it calls the gain computer.
TEXT ·controlAVX(SB), NOSPLIT, $0-80
	MOVQ   x0_base+0(FP), SI
	MOVQ   x1_base+24(FP), DI
	MOVQ   g_base+48(FP), R8
	MOVQ   g_len+56(FP), CX
	MOVQ   c+72(FP), AX
	VMOVSD CR_DECAY(AX), X9
	VMOVSD CR_ENV(AX), X3
	VMOVSD CR_PEAK(AX), X4
	VMOVSD CR_FROM(AX), X5
	VMOVSD CR_STEP(AX), X6
	VMOVUPD ·absMask(SB), X7
	VXORPD  X8, X8, X8
	MOVQ   CR_POS(AX), BX
	XORQ   DX, DX
	CMPQ   DX, CX
	JGE    done

loop:
	VANDPD     (SI)(DX*8), X7, X0
	VANDPD     (DI)(DX*8), X7, X1
	VMAXSD     X8, X0, X0 // a NaN becomes +0
	VMAXSD     X8, X1, X1
	VMAXSD     X1, X0, X0
	VMULSD     X9, X3, X3
	VMAXSD     X3, X0, X3
	VMAXSD     X4, X3, X4
	INCQ       BX
	VCVTSI2SDQ BX, X2, X2
	VMULSD     X6, X2, X2
	VADDSD     X5, X2, X2
	VMOVSD     X2, (R8)(DX*8)
	INCQ       DX
	CMPQ       DX, CX
	JL         loop

done:
	VMOVSD X3, CR_ENV(AX)
	VMOVSD X4, CR_PEAK(AX)
	MOVQ   BX, CR_POS(AX)
	RET
