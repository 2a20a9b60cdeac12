"""Readers, one module per publisher format. Each turns a file as downloaded into tidy tables
(area_code, indicator, numerator, denominator, value) and knows its publisher's column names;
nothing after this package does."""
