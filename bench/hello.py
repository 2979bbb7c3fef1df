"""The floor for bench/page.py: a hello-world Streamlit page with one small chart, served the same way."""

import plotly.graph_objects as go
import streamlit as st

st.title("Hello")
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2])))
