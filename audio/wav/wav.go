package wav
