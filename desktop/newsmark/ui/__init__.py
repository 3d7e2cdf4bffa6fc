"""newsmark.ui"""
