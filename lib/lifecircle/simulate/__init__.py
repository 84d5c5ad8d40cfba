"""lifecircle.simulate"""
