"""lifecircle.models"""
