"""The answer stage: question analysis, evidence sentences, the answer pipeline and its checks."""
