"""lifecircle.marketing"""
