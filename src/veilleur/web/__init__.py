"""The analyst's desk: the REST API and map page (``veilleur serve``) and the situation report
(``veilleur report``). Nothing is imported from FastAPI until an app is made."""
