import sys

from autograder.grade_cli import main

sys.exit(main())
