"""The xlwings layer: worksheet functions, macros, the desktop writer and the xlwings Lite bundle."""
