"""newsmark.formats"""
