"""The screens people use: home pages, the participant record and its tabs, the
attendance grid, report and audit screens. The only app that gathers across apps."""
