package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
)

// Most routes on one record take only its :id (and perhaps a JSON patch)
// and answer 200 with what one service method returns, and most creations
// take only a JSON body and answer 201. These build such handlers, so each
// route is one line in routes() instead of a function.

// create decodes the body and answers 201 with what newRecord returns.
func create[I, T any](newRecord func(context.Context, I) (T, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		var in I
		if err := decode(c, &in); err != nil {
			return err
		}
		out, err := newRecord(c.Request().Context(), in)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, out)
	}
}

// byID answers with read(:id).
func byID[T any](read func(context.Context, string) (T, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		out, err := read(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
}

// patchByID decodes a patch from the body and answers with update(:id, patch).
func patchByID[P, T any](update func(context.Context, string, P) (T, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		var patch P
		if err := decode(c, &patch); err != nil {
			return err
		}
		out, err := update(c.Request().Context(), id, patch)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
}

// withPatch answers with update(:id, patch) for a fixed patch, such as the
// active=false that DELETE means on records that are kept, not removed.
func withPatch[P, T any](update func(context.Context, string, P) (T, error), patch P) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		out, err := update(c.Request().Context(), id, patch)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
}

// inactive is the patch value that deactivates a record.
func inactive() *bool {
	off := false
	return &off
}
