//go:build amd64 && !purego

#include "textflag.h"

// func envRunsSSE2(x0, x1 []float64, st *runState, peaks *[maxRunPiece]float64) int
//
// The detector pass of ControlRate.Process over len(x0) frames (at most
// maxRunPiece) of one channel (x1 empty) or two: per frame env ·= decay,
// then env = |x| > env ? |x| : env for each channel in order, then peak =
// env > peak ? env : peak, which is MAXSD with the new value first (it
// returns the second operand unless the first is greater, as the Go
// comparisons do); at the end of each run the run's peak goes to peaks and
// peak starts again at 0. Returns the number of peaks written.
TEXT ·envRunsSSE2(SB), NOSPLIT, $0-72
	MOVQ   x0_base+0(FP), SI
	MOVQ   x0_len+8(FP), CX
	MOVQ   x1_base+24(FP), DI
	MOVQ   x1_len+32(FP), BX
	MOVQ   st+48(FP), AX
	MOVQ   peaks+56(FP), R10
	MOVSD  0(AX), X0  // env
	MOVSD  8(AX), X1  // peak
	MOVSD  16(AX), X2 // decay
	MOVQ   24(AX), R8 // pos
	MOVQ   32(AX), R9 // run
	MOVQ   $0x7fffffffffffffff, DX
	MOVQ   DX, X3     // the sign bit clear
	XORQ   R11, R11   // peaks written
	XORQ   DX, DX
	TESTQ  CX, CX
	JZ     done
	TESTQ  BX, BX
	JNZ    loop2

loop1:
	MULSD  X2, X0
	MOVSD  (SI)(DX*8), X4
	ANDPD  X3, X4
	MAXSD  X0, X4 // |x| > env ? |x| : env
	MOVAPD X4, X0
	MOVAPD X0, X5
	MAXSD  X1, X5 // env > peak ? env : peak
	MOVAPD X5, X1
	INCQ   R8
	CMPQ   R8, R9
	JNE    next1
	MOVSD  X1, (R10)(R11*8)
	INCQ   R11
	XORPS  X1, X1
	XORQ   R8, R8

next1:
	INCQ DX
	CMPQ DX, CX
	JL   loop1
	JMP  done

loop2:
	MULSD  X2, X0
	MOVSD  (SI)(DX*8), X4
	MOVSD  (DI)(DX*8), X6
	ANDPD  X3, X4
	ANDPD  X3, X6
	MAXSD  X0, X4
	MAXSD  X4, X6 // the second channel against the first's result
	MOVAPD X6, X0
	MOVAPD X0, X5
	MAXSD  X1, X5
	MOVAPD X5, X1
	INCQ   R8
	CMPQ   R8, R9
	JNE    next2
	MOVSD  X1, (R10)(R11*8)
	INCQ   R11
	XORPS  X1, X1
	XORQ   R8, R8

next2:
	INCQ DX
	CMPQ DX, CX
	JL   loop2

done:
	MOVSD X0, 0(AX)
	MOVSD X1, 8(AX)
	MOVQ  R8, 24(AX)
	MOVQ  R11, ret+64(FP)
	RET
