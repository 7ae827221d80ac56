grammar NN;
file : EOF ;
