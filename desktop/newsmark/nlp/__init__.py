"""newsmark.nlp"""
