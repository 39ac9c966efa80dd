"""Analysis of recordings for researchers: per-hold statistics, replay through the core, tables, reports,
batches, figures, DataFrames and Parquet.
"""
