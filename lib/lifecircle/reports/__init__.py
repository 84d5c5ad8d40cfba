"""lifecircle.reports"""
