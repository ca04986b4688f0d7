"""Daily Papers Archive: fetch Hugging Face's daily papers into content/, build the site from it."""
