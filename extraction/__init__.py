"""Everything after screening: risk of bias, extraction, exports, pooling."""
