//go:build amd64 && !purego

#include "textflag.h"

// CMUL(z, wr, wi, t) sets z to z·w, w = wr + i·wi broadcast to every
// lane, for the two complex values (re, im, re, im) of z: (zr·wr − zi·wi,
// zi·wr + zr·wi), each product rounded, as mul does; t is scratch.
#define CMUL(z, wr, wi, t) \
	VPERMILPD $5, z, t; \
	VMULPD    wi, t, t; \
	VMULPD    wr, z, z; \
	VADDSUBPD t, z, z

// func radix4AVX(x, y *complex128, tw *complex128, m, s int)
//
// For p in [0, m): twiddles w1, w2, w3 at tw[3p:], broadcast; for q in
// [0, s) two at a time, a b c d at x + 16·(q + s·(p + {0,1,2,3}·m)), the
// results at y + 16·(q + s·(4p + {0,1,2,3})). R9 holds s in bytes, R11
// s·m in bytes, SI and DI walk a and y0.
TEXT ·radix4AVX(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ tw+16(FP), BX
	MOVQ m+24(FP), R8
	MOVQ s+32(FP), R9
	SHLQ $4, R9          // s in bytes
	MOVQ R9, R11
	IMULQ R8, R11        // s·m in bytes
	LEAQ (R11)(R11*2), R12 // 3·s·m
	LEAQ (R9)(R9*2), R13   // 3·s
	VMOVUPD signEven<>(SB), Y9

ploop:
	VBROADCASTSD 0(BX), Y10
	VBROADCASTSD 8(BX), Y11
	VBROADCASTSD 16(BX), Y12
	VBROADCASTSD 24(BX), Y13
	VBROADCASTSD 32(BX), Y14
	VBROADCASTSD 40(BX), Y15
	XORQ DX, DX

qloop:
	VMOVUPD (SI), Y0          // a
	VMOVUPD (SI)(R11*1), Y1   // b
	VMOVUPD (SI)(R11*2), Y2   // c
	VMOVUPD (SI)(R12*1), Y3   // d
	VADDPD  Y2, Y0, Y4        // apc = a + c
	VSUBPD  Y2, Y0, Y5        // amc = a − c
	VADDPD  Y3, Y1, Y6        // bpd = b + d
	VSUBPD  Y3, Y1, Y7        // bmd = b − d
	VPERMILPD $5, Y7, Y7
	VXORPD  Y9, Y7, Y7        // jbmd = (−im, re) of bmd
	VADDPD  Y6, Y4, Y0        // y0 = apc + bpd
	VSUBPD  Y7, Y5, Y1        // amc − jbmd
	VSUBPD  Y6, Y4, Y2        // apc − bpd
	VADDPD  Y7, Y5, Y3        // amc + jbmd
	CMUL(Y1, Y10, Y11, Y8)
	CMUL(Y2, Y12, Y13, Y4)
	CMUL(Y3, Y14, Y15, Y5)
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, (DI)(R9*1)
	VMOVUPD Y2, (DI)(R9*2)
	VMOVUPD Y3, (DI)(R13*1)
	ADDQ    $32, SI
	ADDQ    $32, DI
	ADDQ    $32, DX
	CMPQ    DX, R9
	JLT     qloop

	ADDQ R13, DI   // y0 of the next p: 4·s on, s of them walked
	ADDQ $48, BX
	DECQ R8
	JNZ  ploop
	VZEROUPPER
	RET

// signEven flips the sign of the real parts (lanes 0 and 2).
DATA  signEven<>+0(SB)/8, $0x8000000000000000
DATA  signEven<>+8(SB)/8, $0
DATA  signEven<>+16(SB)/8, $0x8000000000000000
DATA  signEven<>+24(SB)/8, $0
GLOBL signEven<>(SB), RODATA|NOPTR, $32
