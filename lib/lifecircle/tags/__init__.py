"""lifecircle.tags"""
