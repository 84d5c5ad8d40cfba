"""lifecircle.ingest"""
