"""Running the grader where courses already are: Gradescope, GitHub Classroom, any CI."""
