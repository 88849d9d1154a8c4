"""Library-free workbook logic: layout, reading inputs, the plan of what to write, every result sheet.
The xlwings Lite bundle carries all of it.
"""
