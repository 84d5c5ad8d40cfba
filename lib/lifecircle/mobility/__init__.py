"""lifecircle.mobility"""
