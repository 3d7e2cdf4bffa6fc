"""newsmark.store"""
