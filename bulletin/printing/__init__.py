"""The print stage: the makeup of each 版, Typst markup, the PDF."""
